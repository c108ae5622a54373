"""generator.runs.options and generator.cli's parsing: one option per setting, generated from the
settings parts, its help the field's documentation with the default shown once; the scripts'
option names of before still work."""

import argparse
from dataclasses import dataclass, fields
from typing import Optional

import pytest

from generator import cli
from generator.methods.registry import method_spec
from generator.runs.config import RunConfig
from generator.runs.options import PRESET, add_options, given, option_name, shown
from generator.runs.settings import setting

DUAL_PARTS = (*cli.SHARED_PARTS, method_spec("dual").run_settings,
              method_spec("neural-dual").run_settings)
BASELINE_PARTS = (*cli.SHARED_PARTS, method_spec("mlp-ns").run_settings)


@pytest.mark.parametrize("parser, parts", [(cli.dual_parser, DUAL_PARTS),
                                           (cli.baseline_parser, BASELINE_PARTS)])
def test_every_setting_has_one_option_whose_help_is_its_doc_and_shows_the_default_once(parser,
                                                                                       parts):
    p = parser()
    actions = p._option_string_actions
    formatter = p._get_formatter()  # the scripts' own: a default shown once
    for part in parts:
        for f in fields(part):
            action = actions[option_name(f.name)]
            assert action.dest == f.name
            assert action.help.startswith(f.metadata["doc"].replace("%", "%%"))
            text = formatter._get_help_string(action)  # what --help prints (before % filling)
            assert text.count("default:") == 1 and "(default:" not in text, f.name
            if f.name == "target":  # the script's default
                assert text.endswith("default: ring") and action.default == "ring"
            elif f.name in cli.PRESET_KEYS:
                assert text.endswith(f"default: {PRESET}"), f.name
            else:
                assert text.endswith(f"default: {shown(f.default)}"), f.name


def test_the_help_names_each_parts_group_and_each_methods_own_options_only_where_they_apply():
    baseline = cli.baseline_parser().format_help()
    assert "--kappa" not in baseline and "--solver" not in baseline and "--d-lr" in baseline
    dual = cli.dual_parser().format_help()
    assert "--kappa-max" in dual and "--warm-start, --no-warm-start" in dual
    assert "--d-lr" not in dual


def test_the_scripts_option_names_of_before_still_set_their_settings():
    args = cli.parse_dual(["--discriminator", "mlp", "--steps", "3", "--lr", "0.01",
                           "--lr-final", "none", "--ema", "none", "--kappa", "2",
                           "--d-hidden", "16", "32", "--out", "unused"])
    config = args.config
    assert config.method == "neural-dual"  # 'mlp', the former name of 'network'
    assert args.out == "unused" and args.options["progress"] and not args.options["resume"]
    assert (config.training.steps, config.training.lr, config.training.lr_final,
            config.training.ema) == (3, 0.01, None, None)
    assert config.method_settings.kappa == 2.0 and config.networks.d_hidden == (16, 32)
    args = cli.parse_baseline(["--method", "mlp-minimax", "--d-lr", "1e-3", "--d-steps", "2",
                               "--d-optimizer", "sgd", "--out", "unused"])
    assert (args.config.method, args.config.method_settings) == (
        "mlp-minimax", method_spec("mlp-minimax").run_settings(1e-3, 2, "sgd"))


def test_options_not_given_leave_the_preset_and_network_is_mlp():
    network = cli.parse_dual(["--discriminator", "network", "--out", "unused"]).config
    assert network == RunConfig.from_preset("neural-dual", "ring")
    assert cli.parse_dual(["--discriminator", "mlp", "--out", "unused"]).config == network
    assert cli.parse_dual(["--out", "unused"]).config == RunConfig.from_preset("dual", "ring")
    dual = cli.parse_dual(["--no-warm-start", "--solver-options", '{"max_iter": 9}',
                           "--out", "unused"]).config.method_settings
    assert dual.warm_start is False and dual.solver_options == '{"max_iter": 9}'


def test_the_named_architecture_is_the_preset_of_both_scripts_with_the_options_on_top():
    # the same networks as compare_image_gans.py --architecture conv: the preset's conv entry
    from generator.runs.presets import ARCHITECTURES

    conv = ARCHITECTURES["conv"]
    dual = cli.parse_dual(["--target", "digits", "--architecture", "conv", "--kappa", "0.5",
                           "--out", "unused"]).config
    assert dual == RunConfig.from_preset("neural-dual", "digits", architecture="conv",
                                         kappa=0.5)
    assert (dual.networks.generator, dual.networks.g_channels, dual.networks.d_arch,
            dual.networks.d_channels) == ("conv", conv["g_channels"], "conv",
                                          conv["d_channels"])
    assert (dual.training.steps, dual.method_settings.trust) == (conv["steps"], "scaled")
    base = cli.parse_baseline(["--target", "digits", "--architecture", "conv",
                               "--out", "unused"]).config
    assert base.networks == dual.networks and base.method_settings.d_lr == conv["mlp-ns"]["d_lr"]
    assert cli.parse_dual(["--target", "digits", "--out", "unused"]).config == (
        RunConfig.from_preset("neural-dual", "digits"))  # the default: the presets' MLPs


def test_another_methods_setting_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.parse_dual(["--discriminator", "features", "--kappa", "2", "--out", "unused"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "error: --kappa is not a setting of method 'dual' (kappa is one of neural-dual's)" \
        in err


@dataclass(frozen=True)
class _Toy:
    """A toy part: one line per setting is all an option needs."""

    widths: tuple[int, ...] = setting("the widths", (1, 2))
    rate: Optional[float] = setting("a rate, or none", 0.5)
    mode: str = setting("a mode", "a", choices=("a", "b"))


def test_a_setting_of_one_line_becomes_an_option_read_by_its_type():
    parser = argparse.ArgumentParser()
    add_options(parser, _Toy, preset={"mode"})
    assert given(parser.parse_args([]), [_Toy]) == {}
    args = parser.parse_args(["--widths", "3", "4", "--rate", "none", "--mode", "b"])
    assert given(args, [_Toy]) == {"widths": [3, 4], "rate": None, "mode": "b"}
    assert parser.parse_args(["--rate", "0.25"]).rate == 0.25
    with pytest.raises(SystemExit):
        parser.parse_args(["--mode", "c"])
    helps = {a.dest: a.help for a in parser._actions}
    assert helps["widths"] == "the widths; default: 1 2"
    assert helps["rate"] == "a rate, or none; default: 0.5"
    assert helps["mode"] == f"a mode; default: {PRESET}"
