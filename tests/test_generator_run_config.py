"""generator.runs.config and generator.runs.settings: the nested run configuration, its checks,
from_preset's routing of flat names, the flat view, and the files written before the nesting."""

import dataclasses
import json

import pytest

from dualgan.checkpoint import SettingsMismatchError, load_checkpoint, save_checkpoint
from generator.methods.registry import METHODS
from generator.runs.build import build, make_trainer
from generator.runs.config import FIRST_FLAT_KEYS, RunConfig, added_settings, flat_keys
from generator.runs.settings import (
    Compute,
    Data,
    DualSettings,
    Networks,
    NeuralDualSettings,
    Phi,
    Training,
)
from generator.study.grid import stability_grid
from generator.study.store import StudyTable, config_key

TINY = dict(steps=3, batch_size=8, num_features=8, hidden=(8,), d_hidden=(8,))

#: OUT/config.json of ``train_dual_gan.py --target ring --discriminator mlp --steps 100`` as
#: written by the flat RunConfig (commit 6d077d9).
FIRST_CONFIG_JSON = (
    '{"method": "neural-dual", "target": "ring", "seed": 0, "steps": 100, "batch_size": 128, '
    '"lr": 0.001, "lr_final": 5e-05, "generator": "mlp", "hidden": [256, 256, 256], '
    '"latent_dim": 2, "d_hidden": [128, 128], "features": "rff+quadratic", "num_features": 128, '
    '"lengthscale": [0.1, 0.3, 1.0], "c": 30.0, "d_lr": null, "d_steps": 1, "solver": "native", '
    '"form": null, "kappa": 3.0, "trust": "scaled", "kappa_min": 0.1, "generator_step": '
    '"first-order", "data_dir": null, "dtype": "float64", "d_input": "raw", "d_arch": "mlp", '
    '"d_channels": [32, 64], "device": "cpu", "ema": null}')

#: A stability study's CSV as the flat RunConfig wrote it (commit 6d077d9): the mnist grid of
#: neural-dual (kappa 0.1) and mlp-ns (d_lr 2e-5) at lr 1e-4, seed 0, 5000 steps.
FIRST_SWEEP_CSV = """\
method,target,seed,steps,batch_size,lr,lr_final,generator,hidden,latent_dim,d_hidden,features,\
num_features,lengthscale,c,d_lr,d_steps,solver,form,kappa,trust,kappa_min,generator_step,dtype,\
d_input,d_arch,d_channels,device,ema,status,modes_covered,num_modes,high_quality_fraction,\
reverse_kl,classes_covered,num_classes,class_reverse_kl,confident_fraction,\
frechet_classifier_distance,reference_frechet_classifier_distance,mode_kl,wall_seconds,\
train_seconds,cpu_seconds,error
neural-dual,mnist,0,5000,64,0.0001,,pixels,"[256, 512]",64,"[256, 256]",,,,,,1,native,,0.1,\
scaled,0.1,first-order,float64,centered,mlp,"[32, 64]",cpu,,ok,,,,,,,,,,,,12.5,11.0,,
mlp-ns,mnist,0,5000,64,0.0001,,pixels,"[256, 512]",64,"[256, 256]",,,,,2e-05,1,native,,1.0,\
scaled,0.1,first-order,float64,centered,mlp,"[32, 64]",cpu,,ok,,,,,,,,,,,,12.5,11.0,,
"""

#: A value other than the default for every setting a method's own config class takes from a run.
OTHER_VALUES = {"c": 2.0, "solver": "native", "form": "dual", "warm_start": False,
                "solver_options": '{"max_iter": 7}', "kappa": 2.5, "trust": "adaptive",
                "kappa_factor": 3.0, "kappa_min": 0.2, "kappa_max": 50.0,
                "generator_step": "exact", "d_lr": 1e-4, "d_steps": 2, "d_optimizer": "sgd",
                "lr": 5e-3, "lr_final": 2e-4, "betas": (0.9, 0.99)}
#: The fields of a method's config that a run derives rather than sets: the decay's length (the
#: run's steps), the generator loss (the method's name), the extra batches' seed (the run's).
DERIVED = {"decay_steps", "g_loss", "seed"}


def _ring(method, **overrides):
    return RunConfig.from_preset(method, "ring", **{**TINY, **overrides})


# --------------------------------------------------------------------------- the nesting


def test_a_run_has_at_most_eight_top_level_fields_each_part_frozen():
    config = _ring("neural-dual")
    assert len(dataclasses.fields(RunConfig)) <= 8
    for part in (config.data, config.networks, config.phi, config.training, config.compute,
                 config.method_settings):
        with pytest.raises(dataclasses.FrozenInstanceError):
            part.seed = 1


@pytest.mark.parametrize("name", list(METHODS))
def test_every_setting_of_a_methods_own_config_is_reachable_from_a_run(name):
    spec = METHODS[name]
    taken = {f.name for f in dataclasses.fields(spec.config_class)} - DERIVED
    assert taken <= set(OTHER_VALUES)  # a new method setting needs a value here, and a route
    given = {k: v for k, v in OTHER_VALUES.items()
             if k in taken and (k != "c" or name == "dual")}
    if "kappa" in given:  # the adaptive bounds must hold kappa
        given["kappa"] = 2.5
    method_config = spec.make_config(_ring(name, **given))
    for key, value in given.items():
        expected = json.loads(value) if key == "solver_options" else value
        assert getattr(method_config, key) == expected, key


def test_the_methods_own_settings_default_to_their_config_class_defaults():
    """So that a run that does not set them trains as before they were reachable."""
    for spec in METHODS.values():
        method_defaults = {f.name: f.default for f in dataclasses.fields(spec.config_class)}
        for f in dataclasses.fields(spec.run_settings):
            expected = method_defaults[f.name]
            if f.name == "solver_options":
                assert json.loads(f.default) == {}
            else:
                assert f.default == expected, (spec.name, f.name)


# --------------------------------------------------------------------------- the checks


def _direct(method="neural-dual", **parts):
    settings = {"dual": DualSettings(), "neural-dual": NeuralDualSettings()}[method]
    values = dict(data=Data("ring"), networks=Networks(), phi=Phi(), training=Training(),
                  compute=Compute(), method_settings=settings)
    return RunConfig(method=method, seed=0, **{**values, **parts})


def test_a_directly_built_run_is_checked_like_one_from_a_preset():
    assert _direct().training.steps == Training().steps
    with pytest.raises(ValueError, match="device"):
        _direct(compute=Compute(device="tpu"))
    with pytest.raises(ValueError, match=r"method 'dual' needs a feature map.*\['features', "
                                         r"'num_features', 'lengthscale', 'c'\]"):
        _direct("dual")
    phi = Phi(features="rff", num_features=8, lengthscale=(1.0,), c=1.0)
    with pytest.raises(ValueError, match="method 'dual' runs on the CPU only"):
        _direct("dual", phi=phi, compute=Compute(device="cuda"))
    with pytest.raises(TypeError, match="method_settings of a 'neural-dual' run must be a "
                                        "NeuralDualSettings, got DualSettings"):
        _direct(method_settings=DualSettings())
    with pytest.raises(ValueError, match="kappa_max must be a finite number > 0"):
        _direct(method_settings=NeuralDualSettings(kappa_max=-1.0))


def test_a_part_checks_its_choices_and_makes_sequences_tuples():
    assert Networks(hidden=[4, 5], d_hidden=3).d_hidden == (3,)
    assert Networks(hidden=[4, 5]).hidden == (4, 5)
    with pytest.raises(ValueError, match=r"trust must be one of \['scaled', 'adaptive'\], got "
                                         r"'wide'"):
        NeuralDualSettings(trust="wide")
    with pytest.raises(ValueError, match="solver_options must be a JSON object"):
        DualSettings(solver_options="[1]")


# --------------------------------------------------------------------------- from_preset


def test_from_preset_routes_each_flat_name_to_its_part():
    config = RunConfig.from_preset(
        "neural-dual", "ring", seed=4, steps=5, batch_size=8, hidden=[4], d_hidden=(3,),
        lr=1e-2, lr_final=None, kappa=2.0, kappa_max=20.0, data_dir="/data", c=5.0, ema=0.9,
        betas=[0.8, 0.9], dtype="float32")
    assert config.seed == 4 and config.data == Data("ring", "/data")
    assert (config.training.steps, config.training.batch_size, config.training.lr,
            config.training.lr_final, config.training.ema, config.training.betas) == (
        5, 8, 1e-2, None, 0.9, (0.8, 0.9))
    assert (config.networks.hidden, config.networks.d_hidden) == ((4,), (3,))
    assert (config.method_settings.kappa, config.method_settings.kappa_max) == (2.0, 20.0)
    assert config.phi.c == 5.0 and config.compute.dtype == "float32"
    assert config.networks.generator == "mlp"  # the preset's, not given


def test_none_given_to_from_preset_is_a_value_not_the_preset():
    assert _ring("dual").training.lr_final == 1e-4  # the ring preset decays
    assert _ring("dual", lr_final=None).training.lr_final is None


def test_from_preset_refuses_a_name_that_is_not_the_methods_listing_the_allowed_ones():
    with pytest.raises(TypeError, match=r"bogus is not a setting of method 'mlp-ns'; allowed: "
                                        r"seed, target, data_dir, generator, .*d_optimizer$"):
        _ring("mlp-ns", bogus=1)
    with pytest.raises(TypeError, match=r"kappa is not a setting of method 'mlp-ns' \(kappa is "
                                        r"one of neural-dual's\)"):
        _ring("mlp-ns", kappa=2.0)


def test_replace_changes_one_flat_setting_and_keeps_the_others():
    config = _ring("neural-dual")
    changed = config.replace(kappa=2.0, lr_final=None)
    assert changed.method_settings == dataclasses.replace(config.method_settings, kappa=2.0)
    assert changed.training == dataclasses.replace(config.training, lr_final=None)
    assert (changed.data, changed.networks, changed.phi) == (config.data, config.networks,
                                                             config.phi)


# --------------------------------------------------------------------------- the flat view


def test_the_flat_view_has_the_first_configurations_names_and_values():
    first = json.loads(FIRST_CONFIG_JSON)
    config = RunConfig.from_preset("neural-dual", "ring", steps=100).to_dict()
    assert list(config) == list(flat_keys())
    assert {k: config[k] for k in first} == first
    assert set(config) - set(first) == set(added_settings())
    assert len(flat_keys()) == len(set(flat_keys()))  # no name in two parts


def test_the_added_settings_are_the_new_names_at_their_defaults():
    added = added_settings()
    assert set(added).isdisjoint(FIRST_FLAT_KEYS)
    assert set(added) | set(FIRST_FLAT_KEYS) == set(flat_keys())
    flat = _ring("dual").flat()
    assert {k: flat[k] for k in added} == added  # the dual run sets none of them


# --------------------------------------------------------------------------- older files


def _first_grid():
    return stability_grid("mnist", ["neural-dual", "mlp-ns"], [1e-4], 0, 1, 5000,
                          d_steps={"kappa": [0.1], "d_lr": [2e-5]},
                          data_dir="../shared/data/mnist")


def test_a_study_table_written_before_the_nesting_finds_the_same_grids_rows(tmp_path):
    path = tmp_path / "sweep.csv"
    path.write_text(FIRST_SWEEP_CSV)
    table = StudyTable(path)
    assert len(table.rows()) == 2
    grid = _first_grid()
    assert table.finished() == {config_key(c) for c in grid}
    # a run whose added setting is not the value every run of before had is another run
    assert config_key(grid[0].replace(kappa_max=50.0)) not in table.finished()
    # a row appended now keeps the old rows, which read back with the same keys
    table.append({**grid[0].replace(seed=1).to_dict(), "status": "ok", "wall_seconds": 1.0})
    assert StudyTable(path).finished() == {config_key(c) for c in
                                           (*grid, grid[0].replace(seed=1))}


def test_a_checkpoint_written_before_the_nesting_resumes_and_a_changed_new_setting_is_refused(
        tmp_path):
    config = _ring("neural-dual", trust="adaptive")
    path = tmp_path / "ckpt.pt"
    target, method = build(config)
    make_trainer(config, target, method, checkpoint_path=path, snapshots=0,
                 progress=False).run()
    state = load_checkpoint(path)
    for key in added_settings():  # as the flat configuration wrote it
        del state["settings"][f"run.{key}"]
    assert {k[4:] for k in state["settings"] if k.startswith("run.")} >= (
        set(FIRST_FLAT_KEYS) - {"data_dir"})
    save_checkpoint(state, path)

    target, method = build(config)
    resumed = make_trainer(config, target, method, checkpoint_path=path, snapshots=0,
                           progress=False).resume()
    assert resumed.step == 3
    other = config.replace(kappa_max=50.0)
    target, method = build(other)
    with pytest.raises(SettingsMismatchError, match="run.kappa_max: checkpoint None vs now 50"):
        make_trainer(other, target, method, checkpoint_path=path, snapshots=0,
                     progress=False).resume()
