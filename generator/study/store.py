"""A study's result table: one row per finished run, keyed by every setting of the run.

The table is a :class:`dualgan.table.ResultTable` (header check, finished keys, one row written
atomically at a time). A run is identified by every setting of its flat view
(:meth:`~generator.runs.config.RunConfig.flat`) but ``data_dir`` (where the data lie is not a
setting: the checkpoints do not record it either, and a moved copy of MNIST gives the same run),
so a grid over any setting (``kappa``, ``d_hidden``, ``lr_final``, …) resumes run by run. A
table written before a setting existed lacks its column; its rows hold the value every run of
before had (:func:`~generator.runs.config.added_settings`); one written before a result column
existed reads it empty (:data:`~generator.study.run.ADDED_RESULTS`).
"""

import csv

from dualgan.files import ResultsFileError
from dualgan.table import ResultTable, key_of

from ..runs.config import added_settings, flat_keys
from .run import ADDED_RESULTS, RESULT_FIELDS

#: The settings that identify a run: every flat setting but where the data lie.
KEY_FIELDS = tuple(k for k in flat_keys() if k != "data_dir")
#: The columns of a study's CSV: the key, then the result of :func:`generator.study.run.run_one`.
FIELDS = KEY_FIELDS + RESULT_FIELDS
#: The key of the first format, which every later one keeps.
OLD_KEY_FIELDS = ("method", "lr", "seed", "target", "steps")


class StudyTable(ResultTable):
    """The CSV of a study (see the module docstring); refuses an older format by name."""

    def __init__(self, path):
        super().__init__(path, FIELDS, KEY_FIELDS, kind="sweep",
                         required=("method", "target", "seed", "steps", "lr", "status",
                                   "wall_seconds"),
                         retried=lambda row: row["status"] == "error",
                         added={**added_settings(), **ADDED_RESULTS})

    def rows(self):
        try:
            return super().rows()
        except ResultsFileError:
            header = _header(self.path)
            missing = [k for k in KEY_FIELDS if k not in header and k not in self.added]
            if set(OLD_KEY_FIELDS) <= set(header) and missing:
                raise ResultsFileError(
                    f"{self.path}: a sweep CSV of an older format, written before the settings "
                    f"{missing} were part of a run's key; it cannot be resumed: move it away (or "
                    f"choose another --out) to start afresh") from None
            raise

    def finished(self):
        """Keys of the runs already recorded (any status but ``"error"``, which is retried)."""
        return self.keys(where=lambda row: row["status"] != "error")


def config_key(config):
    """The key of a :class:`~generator.runs.config.RunConfig` (equal to the key of its row read
    back from the CSV)."""
    return key_of(config.to_dict(), KEY_FIELDS)


def row_key(row):
    """The key of a row (CSV text or values)."""
    return key_of(row, KEY_FIELDS)


def _header(path):
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
