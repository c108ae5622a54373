"""A resumable result table: one CSV of finished work, each row under a key, written atomically.

A long experiment (a study's runs, a benchmark's cells) keeps its results in one CSV and resumes
by skipping the keys already there. :class:`ResultTable` is that mechanism, once:

* **header check** — a file whose header lacks a required column (not such a table, an older
  format, a damaged copy) is refused with a one-line :class:`~dualgan.files.ResultsFileError`
  naming the file, before any work starts and without touching the file;
* **finished keys** — :meth:`ResultTable.keys`: the keys of the complete rows, normalized
  (:func:`normalize`) so that a key built from settings equals the key read back from CSV text;
  a partial row (a truncated copy's last line) is skipped;
* **one row (or one whole unit of rows) at a time** — :meth:`ResultTable.append` rewrites the
  file atomically (:mod:`dualgan.files`) with the new rows after the complete ones: the file only
  ever holds complete rows, and a kill at any moment leaves its previous or its new version;
* **each key once** — a row whose key the table holds already is never appended
  (:class:`DuplicateKeyError`), unless the rows under that key are all ones to be retried (a
  study's failed run, kept as a record); a table holding a key twice (two writers at once,
  before writers were locked, :mod:`dualgan.lock`) is refused by :meth:`ResultTable.check` in
  one line naming the keys.

Standard library only.
"""

import csv
import io
import json
import os

from .files import ResultsFileError, write_text


def normalize(value):
    """A value as a key holds it: CSV text parsed, so that settings and their text compare equal.

    ``""`` and None → None; ``"[1, 2]"``, lists and tuples → a tuple of normalized items;
    ``"True"``, ``"False"`` → bool; integer text → int; other numeric text → float (``1`` and
    ``1.0`` compare and hash equal); any other text stays a string.
    """
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if text in ("True", "False"):
            return text == "True"
        if text.startswith("["):
            try:
                return normalize(json.loads(text))
            except ValueError:
                return text
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                pass
        return text
    if isinstance(value, (list, tuple)):
        return tuple(normalize(v) for v in value)
    return value


def key_of(row, key_fields):
    """The normalized key of a row or of a settings dict (missing entries count as None)."""
    return tuple(normalize(row.get(k)) for k in key_fields)


class DuplicateKeyError(ResultsFileError):
    """A row whose key a result table holds already, or a table that holds a key twice."""


def _describe_key(fields, key, width=120):
    text = ", ".join(f"{name}={value}" for name, value in zip(fields, key) if value is not None)
    return text if len(text) <= width else text[: width - 1] + "…"


class ResultTable:
    """The CSV at ``path``, with columns ``fields``, whose rows are identified by ``key``.

    Parameters
    ----------
    path : str or os.PathLike
    fields : sequence of str
        The columns, in order (extra entries of a row are ignored, missing ones left empty).
    key : sequence of str
        The columns that identify a row (a subset of ``fields``).
    kind : str
        What the table holds, for messages ("not a sweep CSV").
    required : sequence of str, optional
        Columns that a complete row has non-empty (default: none). A readable file's header has
        the key and these columns; a complete row has every column of its header (a truncated
        line lacks the last ones).
    row_id : sequence of str, optional
        For a table that keeps several rows under one key (a benchmark's cell: one row per
        backend), the columns that tell them apart; a key is held twice when two rows have the
        same key and row_id.
    retried : callable, optional
        ``retried(row)`` for a row that does not hold its key: a new row with that key may
        follow it (a study's failed run, kept as a record and run again); default: none.
    added : dict, optional
        Columns added after older files were written, with the value their rows had: a header
        that lacks one reads it as that value in every row (default: none).
    """

    def __init__(self, path, fields, key, kind="result", required=None, row_id=(),
                 retried=None, added=None):
        self.path = os.fspath(path)
        self.fields = tuple(fields)
        self.key_fields = tuple(key)
        missing = [k for k in self.key_fields if k not in self.fields]
        if missing:
            raise ValueError(f"key fields {missing} are not among the fields {list(self.fields)}")
        self.kind = kind
        self.required = tuple(required or ())
        self.row_id = tuple(row_id)
        self.retried = retried
        self.added = dict(added or {})
        self._fresh = False

    # ------------------------------------------------------------------ reading

    def error(self, reason):
        """The :class:`ResultsFileError` that refuses this file, saying why and what to do."""
        return ResultsFileError(f"{self.path}: not a {self.kind} CSV ({reason}); move it away "
                                f"(or choose another --out) to start afresh, or restore a "
                                f"complete copy of it")

    def rows(self):
        """The complete rows, as text (a truncated row, or one lacking a required value, is
        skipped).

        Raises
        ------
        ResultsFileError
            The file is not such a table (not text, or a header without the required columns).
        """
        if self._fresh or not os.path.exists(self.path):
            return []
        needed = tuple(k for k in dict.fromkeys(self.key_fields + self.required)
                       if k not in self.added)
        try:
            with open(self.path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                header = reader.fieldnames or []
                missing = [k for k in needed if k not in header]
                if missing:
                    raise self.error(f"its header lacks {missing}")
                rows = [row for row in reader if None not in row.values()
                        and None not in row and all(row[k] != "" for k in self.required)]
        except (UnicodeDecodeError, csv.Error) as err:
            raise self.error(err) from None
        lacking = {k: v for k, v in self.added.items() if k not in header}
        return [{**row, **lacking} for row in rows]

    def key_of(self, row):
        """The normalized key of a row or of a settings dict (:func:`key_of`)."""
        return key_of(row, self.key_fields)

    def keys(self, where=None):
        """The keys of the complete rows (those for which ``where(row)`` holds, if given)."""
        return {self.key_of(r) for r in self.rows() if where is None or where(r)}

    def _retried(self, row):
        return self.retried is not None and self.retried(row)

    def duplicates(self, rows=None):
        """The keys held twice (``retried`` rows aside), in order of appearance."""
        seen, twice = set(), {}
        for row in self.rows() if rows is None else rows:
            if self._retried(row):
                continue
            identity = self.key_of(row) + tuple(normalize(row.get(k)) for k in self.row_id)
            if identity in seen:
                twice[self.key_of(row)] = None
            seen.add(identity)
        return list(twice)

    def check(self):
        """Read the file once, so that a damaged one, or one holding a key twice, is refused
        before any work starts.

        Raises
        ------
        ResultsFileError
            Not such a table.
        DuplicateKeyError
            It holds a key twice (the message names the keys).
        """
        twice = self.duplicates()
        if twice:
            shown = "; ".join(f"({_describe_key(self.key_fields, key)})" for key in twice[:3])
            more = f" and {len(twice) - 3} more" if len(twice) > 3 else ""
            raise DuplicateKeyError(
                f"{self.path}: holds {len(twice)} key(s) more than once, written by two writers "
                f"at once: {shown}{more}; remove the repeated rows, or move the file away (or "
                f"choose another --out) to start afresh")
        return self

    # ------------------------------------------------------------------ writing

    def start_afresh(self):
        """Ignore what the file holds: the next :meth:`append` replaces it (until then it is
        left as it is)."""
        self._fresh = True

    def append(self, rows):
        """Add ``rows`` (a dict, or a list of dicts written together) after the complete rows,
        rewriting the file atomically.

        Raises
        ------
        DuplicateKeyError
            The table holds the key of one of ``rows`` already; nothing is written.
        dualgan.files.WriteFailedError
            The file could not be written (it is left as it was).
        """
        rows = [rows] if isinstance(rows, dict) else list(rows)
        # sequences as JSON lists ("[8, 8]"), the text that normalize() reads back (the old
        # rows' added columns too)
        rows, kept = ([{k: list(v) if isinstance(v, tuple) else v for k, v in row.items()}
                       for row in group] for group in (rows, self.rows()))
        new = {self.key_of(row) for row in rows}
        present = [key for key in dict.fromkeys(self.key_of(r) for r in kept
                                                if not self._retried(r)) if key in new]
        if present:
            shown = _describe_key(self.key_fields, present[0])
            raise DuplicateKeyError(f"{self.path}: already holds a row for ({shown}); a row "
                                    f"whose key is present is not appended again")
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=self.fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(kept + rows)
        write_text(self.path, text.getvalue())
        self._fresh = False
