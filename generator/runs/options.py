"""Command-line options generated from a run's settings parts (:mod:`generator.runs.settings`).

One option per field, ``--`` and the field's name with dashes (``d_hidden`` → ``--d-hidden``),
read by the field's type:

* ``int``, ``float``, ``str``: one value (a field with ``choices`` lists them);
* a tuple: one or more values (``--d-hidden 16 32``);
* ``bool``: ``--warm-start`` / ``--no-warm-start``;
* an optional number: a value or ``none`` (``--lr-final none``: a constant rate).

Its help is the field's documentation and its default, shown once: the script's default, the
target's preset where a preset sets the field, or the field's default. A setting not given on
the command line is absent from the parsed namespace (``argparse.SUPPRESS``), so that the preset
fills it, and None given as ``none`` is a value: :func:`given` is what the command line set.
"""

import argparse
import typing
from dataclasses import fields

from .presets import ARCHITECTURES

PRESET = "the target's preset"  # generator/runs/presets.py


def none_or(read):
    """A reader of ``read``'s values, or ``none`` for None."""
    def parse(text):
        return None if text.strip().lower() == "none" else read(text)

    parse.__name__ = read.__name__  # argparse names it in "invalid float value: 'x'"
    return parse


def option_name(name):
    """The option of field ``name``: ``d_hidden`` → ``--d-hidden``."""
    return "--" + name.replace("_", "-")


def _reading(hint):
    """The ``add_argument`` keywords that read a field annotated ``hint``."""
    args = typing.get_args(hint)
    optional = typing.get_origin(hint) is typing.Union and type(None) in args
    if optional:
        hint = next(a for a in args if a is not type(None))
    if typing.get_origin(hint) is tuple:
        return {"type": typing.get_args(hint)[0], "nargs": "+"}
    if hint is bool:
        return {"action": argparse.BooleanOptionalAction}
    if optional and hint is not str:
        return {"type": none_or(hint)}
    return {"type": hint}


def shown(value):
    """A default as the command line writes it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def add_options(parser, part, preset=(), defaults=None):
    """Add one option per field of the settings class ``part``, in a group titled by its
    docstring's first line.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    part : type
        A frozen dataclass of :func:`~generator.runs.settings.setting` fields.
    preset : collection of str
        The fields whose default is the target's preset.
    defaults : dict, optional
        Field → the script's default, put in the namespace when the option is not given (the
        other options are then absent from it).
    """
    defaults = defaults or {}
    hints = typing.get_type_hints(part)
    group = parser.add_argument_group(part.__doc__.split("\n")[0].rstrip("."))
    for f in fields(part):
        keywords = _reading(hints[f.name])
        if f.metadata["choices"] is not None:
            keywords["choices"] = f.metadata["choices"]
        if f.name in defaults:
            keywords["default"] = defaults[f.name]
            default = shown(defaults[f.name]).replace("%", "%%")
        else:
            keywords["default"] = argparse.SUPPRESS
            default = PRESET if f.name in preset else shown(f.default).replace("%", "%%")
        text = f.metadata["doc"].replace("%", "%%")
        group.add_argument(option_name(f.name), dest=f.name, help=f"{text}; default: {default}",
                           **keywords)


def given(args, parts):
    """``{field: value}`` of the fields of ``parts`` that ``args`` holds (the options given,
    and those with a script's default)."""
    names = [f.name for part in parts for f in fields(part)]
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def add_architecture(parser):
    """``--architecture``: the image scripts' named networks
    (:data:`generator.runs.presets.ARCHITECTURES`), default ``mlp``."""
    parser.add_argument("--architecture", choices=tuple(ARCHITECTURES), default="mlp",
                        help="the networks of every run, by name: the presets' MLPs, or conv "
                             "(a DCGAN-style generator and a convolutional discriminator, the "
                             "same for both methods; generator/runs/presets.py)")
