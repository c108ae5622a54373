"""The command-line conventions every example script follows.

Exit codes: 0 done; 130 stopped by Ctrl-C (a first Ctrl-C during training writes a checkpoint,
rerun with ``--resume``; a Ctrl-C anywhere else stops at once, and every file already written is
complete, :mod:`common.files`); 2 an error the user can act on, printed as one line naming the
file or setting at fault: an unreadable checkpoint, a resume with other settings, an output
directory that cannot be written, a damaged input file. Anything else is a bug and keeps its
traceback.
"""

import os
import sys

from .checkpoint import CheckpointError, OutputDirectoryError, SettingsMismatchError
from .files import DataError

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

#: Errors that mean "the user can fix this": one line on stderr, exit code 2.
USER_ERRORS = (CheckpointError, SettingsMismatchError, DataError, OutputDirectoryError,
               FileNotFoundError)


def run(main, argv=None):
    """Call ``main(argv)``; the errors in :data:`USER_ERRORS` become exit code 2, and a
    ``KeyboardInterrupt`` (Ctrl-C outside a training loop, or a second one inside) exit code
    130, each with one line on stderr instead of a traceback.

    Returns
    -------
    int
        The exit code: what ``main`` returned (None counts as 0), 2 or 130.
    """
    prog = os.path.basename(sys.argv[0]) or "script"
    try:
        code = main(argv)
    except USER_ERRORS as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; the files written so far are complete", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK if code is None else int(code)
