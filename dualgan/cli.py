"""The command-line conventions every example script follows.

Exit codes: 0 done; 130 stopped by Ctrl-C (a first Ctrl-C during training writes a checkpoint,
rerun with ``--resume``; a Ctrl-C anywhere else stops at once, and every file already written is
complete, :mod:`dualgan.files`); 2 an error the user can act on, printed as one line naming the
file or setting at fault; 1 an output that could not be written (a full disk, an I/O error, a
directory removed: :class:`dualgan.files.WriteFailedError`), printed as one line naming the file,
the error and what is safe. Anything else is a bug and keeps its traceback.

Two kinds of user error, one line each:

* **a bad argument** — refused by :class:`ArgumentParser` *before any work*, as
  ``prog: error: --name must be ..., got ...``. The library's own checks are the source of truth:
  a script builds its configurations right after parsing, inside
  :meth:`ArgumentParser.library_checks`, which turns their ``ValueError``/``TypeError`` into that
  line (the setting's name becomes its option's). Nothing has been written by then.
* **a file or a state at fault** (:func:`user_errors`): an unreadable checkpoint, a resume with
  other settings, an output directory that cannot be written, a damaged input file, a results
  table of another format or holding a key twice, an output another process is writing
  (:class:`dualgan.lock.OutputLockedError`, naming it); reported by :func:`run`.

Help that teaches (:class:`HelpFormatter`): a script hands its whole module docstring to
:class:`ArgumentParser` as ``description``; the first paragraph becomes the description and the
docstring's example commands (its indented lines that start with ``python``) the epilog, each
kept on its lines. Every option's default is shown once: appended as ``(default: X)`` unless
the help already says where the default comes from, and never for an option without a value
(None, a flag). Sphinx markup (roles such as ``:func:``, double backquotes) is shown as plain
text.

Standard library only (the error classes that need torch are imported when an error is raised),
so that a script's bad arguments are refused before heavy imports where the script allows it.
"""

import argparse
import contextlib
import os
import re
import sys
import textwrap

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def user_errors():
    """Errors that mean "the user can fix this": one line on stderr, exit code 2."""
    from .checkpoint import CheckpointError, OutputDirectoryError, SettingsMismatchError
    from .files import ResultsFileError
    from .images import DataError
    from .lock import OutputLockedError

    errors = (CheckpointError, SettingsMismatchError, DataError, ResultsFileError,
              OutputDirectoryError, FileNotFoundError, OutputLockedError)
    # a memory guard's refusal names the prediction, what is available and the way out; dual
    # is the layer above this one, so it is looked up only when a script already loaded it
    dual_exceptions = sys.modules.get("dual.exceptions")
    if dual_exceptions is not None:
        errors += (dual_exceptions.ResourceError,)
    return errors


def __getattr__(name):
    if name == "USER_ERRORS":  # kept as a name; computed on use, as it imports torch
        return user_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ROLE = re.compile(r":(?:[a-z]+:)+`(~?)([^`]*)`")  # :func:`dual.solve`, :class:`~a.B`
_LITERAL = re.compile(r"``([^`]*)``")


def plain_text(text):
    """``text`` without Sphinx markup: a role (``:func:`` and the like) becomes the name it
    marks, or with a ``~`` the name's last part; a double-backquoted literal its content."""
    text = _ROLE.sub(lambda m: m.group(2).rsplit(".", 1)[-1] if m.group(1) else m.group(2), text)
    return _LITERAL.sub(r"\1", text)


def summary_paragraph(doc):
    """The first paragraph of a docstring, on one line, as plain text."""
    first = textwrap.dedent(doc or "").strip().split("\n\n")[0]
    return plain_text(" ".join(first.split()))


def example_commands(doc):
    """The example commands of a script's docstring: every indented line whose first word is
    ``python``, with the lines it continues onto (a trailing backslash), dedented to four
    spaces."""
    commands, continued = [], False
    for line in (doc or "").splitlines():
        stripped = line.strip()
        if continued or (line[:1].isspace() and stripped.startswith("python ")):
            commands.append(("    " if not continued else "        ") + stripped)
            continued = stripped.endswith("\\")
    return commands


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """The description refilled to the terminal, an indented block (the example commands) kept
    as written, and each option's default shown once (see the module docstring)."""

    def _fill_text(self, text, width, indent):
        blocks = []
        for block in text.split("\n\n"):
            if any(line[:1].isspace() for line in block.splitlines()):
                blocks.append(textwrap.indent(block, indent))
            else:
                blocks.append(textwrap.fill(" ".join(block.split()), width,
                                            initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(blocks)

    def _get_help_string(self, action):
        text = plain_text(action.help or "")
        default = action.default
        if (not action.option_strings or action.nargs == 0 or default is None
                or default is argparse.SUPPRESS or "default" in text.lower()):
            return text
        if isinstance(default, (list, tuple)):
            default = " ".join(map(str, default))
        shown = f"(default: {default})".replace("%", "%%")
        return f"{text} {shown}" if text else shown


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose errors are one line, ``prog: error: message`` (exit code 2):
    no usage block (``--help`` shows it), and the library's checks delivered the same way.

    ``description`` may be a script's whole module docstring: its first paragraph becomes the
    description, its example commands the epilog (unless ``epilog`` is given), and the help is
    laid out by :class:`HelpFormatter` (the default ``formatter_class``).
    """

    def __init__(self, *args, description=None, epilog=None, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        if description is not None:
            if epilog is None:
                commands = example_commands(description)
                epilog = "examples:\n" + "\n".join(commands) if commands else None
            description = summary_paragraph(description)
        super().__init__(*args, description=description, epilog=epilog, **kwargs)

    def error(self, message):
        message = " ".join(str(message).split())  # one line, whatever the message held
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")

    def option_of(self, name):
        """The option that sets the destination ``name`` (``"min_time"`` → ``"--min-time"``),
        or None."""
        for action in self._actions:
            if action.dest == name and action.option_strings:
                return max(action.option_strings, key=len)
        return None

    def add_resume_arguments(self):
        """``--resume`` and ``--overwrite``, which exclude each other (see
        :meth:`check_checkpoint`)."""
        group = self.add_mutually_exclusive_group()
        group.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
        group.add_argument("--overwrite", action="store_true",
                           help="train from scratch even if OUT holds a checkpoint (it is "
                                "replaced); without it, such a run is refused")

    def check_checkpoint(self, args):
        """Refuse, before any work, a run that would train from scratch over
        ``args.out``/checkpoint.pt (the options of :meth:`add_resume_arguments`): rerunning a
        command without ``--resume`` must not lose the run it would continue."""
        path = os.path.join(args.out, "checkpoint.pt")
        if not args.resume and not args.overwrite and os.path.exists(path):
            self.error(f"--out {args.out} holds a checkpoint ({path}); continue it with --resume, "
                       f"or train from scratch over it with --overwrite")

    @contextlib.contextmanager
    def library_checks(self, **options):
        """Turn a ``ValueError`` or ``TypeError`` raised in the block into :meth:`error`.

        A message that starts with a setting's name (``"steps must be an integer >= 1, got
        -5"``) starts with its option instead (``"--steps must be ..."``): the option with that
        destination, or ``options[name]`` when the library's name differs from the option's
        (``library_checks(hidden_sizes="--hidden")``).
        """
        try:
            yield
        except (TypeError, ValueError) as err:
            self.error(self._with_option(str(err), options))

    def _with_option(self, message, options):
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(\[\d+\])?\s", message)
        if match:
            name = match.group(1)
            option = options.get(name) or self.option_of(name)
            if option:
                return option + message[match.end(1):]
        return message


def run(main, argv=None):
    """Call ``main(argv)``; the errors of :func:`user_errors` become exit code 2, a
    :class:`~dualgan.files.WriteFailedError` exit code 1, and a ``KeyboardInterrupt`` (Ctrl-C
    outside a training loop, or a second one inside) exit code 130, each with one line on stderr
    instead of a traceback.

    Returns
    -------
    int
        The exit code: what ``main`` returned (None counts as 0), 1, 2 or 130.
    """
    from .files import WriteFailedError

    prog = os.path.basename(sys.argv[0]) or "script"
    try:
        code = main(argv)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; the files written so far are complete", file=sys.stderr)
        return EXIT_INTERRUPTED
    except WriteFailedError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    except Exception as err:  # noqa: BLE001 - only the user errors are caught, below
        if not isinstance(err, user_errors()):
            raise
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    return EXIT_OK if code is None else int(code)
