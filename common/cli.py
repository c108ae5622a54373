"""The command-line conventions every example script follows.

Exit codes: 0 done; 130 stopped by Ctrl-C after writing a checkpoint (rerun with ``--resume``);
2 an error the user can act on, printed as one line naming the file or setting at fault:
an unreadable checkpoint, a resume with other settings, an output directory that cannot be
written, a damaged input file. Anything else is a bug and keeps its traceback.
"""

import os
import sys

from .checkpoint import CheckpointError, OutputDirectoryError, SettingsMismatchError
from .images import DataError

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

#: Errors that mean "the user can fix this": one line on stderr, exit code 2.
USER_ERRORS = (CheckpointError, SettingsMismatchError, DataError, OutputDirectoryError,
               FileNotFoundError)


def run(main, argv=None):
    """Call ``main(argv)`` and turn the errors in :data:`USER_ERRORS` into exit code 2.

    Returns
    -------
    int
        The exit code: what ``main`` returned (None counts as 0), or 2.
    """
    try:
        code = main(argv)
    except USER_ERRORS as err:
        prog = os.path.basename(sys.argv[0]) or "script"
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    return EXIT_OK if code is None else int(code)
