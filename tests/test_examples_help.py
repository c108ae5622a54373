"""Every script's ``--help`` teaches: a description, example commands, a help text on every
option with its default shown once, and no raw Sphinx markup (issue 32, item 6).

The scripts are run in this process (``main(["--help"])``), so that the parser they build is at
hand to check option by option; the shared formatter itself is checked on a parser built here.
"""

import argparse
import importlib.util
import re

import pytest

from conftest import EXAMPLES
from dualgan import cli

SCRIPTS = sorted(path.stem for path in EXAMPLES.glob("*.py"))
# the options of one GAN run are generated from the run's configuration (issue 28)
MARKUP = re.compile(r":(func|class|mod|meth|attr|doc|ref):|``")


def _help_of(script, monkeypatch, capsys):
    """(exit code, printed help, the parser that printed it) of ``script.py --help``."""
    spec = importlib.util.spec_from_file_location(f"example_{script}", EXAMPLES / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    printed = []
    original = argparse.ArgumentParser.print_help

    def recording(parser, file=None):
        printed.append(parser)
        original(parser, file)

    monkeypatch.setattr(argparse.ArgumentParser, "print_help", recording)
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as stop:
        module.main(["--help"])
    return stop.value.code, capsys.readouterr().out, printed[0]


def _params():
    for script in SCRIPTS:
        yield script


@pytest.mark.parametrize("script", list(_params()))
def test_help_shows_examples_every_option_explained_and_one_default(script, monkeypatch,
                                                                     capsys):
    code, text, parser = _help_of(script, monkeypatch, capsys)
    assert code == 0
    assert parser.description and not parser.description.endswith((" or", ",", " and"))
    examples = re.findall(rf"^ +python examples/{script}\.py ", text, flags=re.M)
    assert len(examples) >= 2, f"{script}: {len(examples)} example command(s) in --help"
    assert not MARKUP.search(text), MARKUP.search(text).group(0)
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help.strip(), f"{script}: {name} has no help"
        shown = formatter._get_help_string(action)
        assert shown.lower().count("default") <= 1, f"{script}: {name}: {shown}"
        assert "default: None" not in shown, f"{script}: {name}: {shown}"


def _parser():
    parser = cli.ArgumentParser(prog="demo.py", description=(
        "Train a thing with :func:`dual.solve` and\n``--steps``, over two lines.\n\n"
        "More text that stays out of the help.\n\n"
        "    python examples/demo.py --out runs/a\n"
        "    python examples/demo.py --steps 5 \\\n        --out runs/b\n"))
    parser.add_argument("--steps", type=int, default=10, help="steps")
    parser.add_argument("--lr", type=float, help="learning rate; default: the preset")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2], help="sizes")
    parser.add_argument("--out", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a quick run")
    return parser


def test_the_formatter_shows_a_default_once_and_none_never():
    text = _parser().format_help()
    assert "steps (default: 10)" in text
    assert "sizes (default: 1 2)" in text
    assert "default: the preset" in text and "preset (default" not in text
    assert "output directory\n" in text and "a quick run\n" in text  # None and a flag: no default


def test_the_docstring_gives_a_plain_description_and_the_commands_on_their_lines():
    text = _parser().format_help()
    assert "Train a thing with dual.solve and --steps, over two lines." in text
    assert "More text" not in text
    assert ("examples:\n    python examples/demo.py --out runs/a\n"
            "    python examples/demo.py --steps 5 \\\n        --out runs/b\n") in text


def test_plain_text_strips_roles_and_literals():
    assert cli.plain_text(":func:`dual.solve` and :class:`~dual.solution.Solution`") == \
        "dual.solve and Solution"
    assert cli.plain_text("``--resume``, :py:meth:`a.b`") == "--resume, a.b"
