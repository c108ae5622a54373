"""What the three packages share: argument checks, checkpoints, MLP builders and image data.

One home for each mechanic, so that ``dual``, ``generator`` and ``vae`` raise the same errors,
write and read checkpoints by the same rules, and build the same networks. Submodules are
imported on demand: ``common.validation`` needs numpy only (``dual`` uses it and stays free of
torch) and ``common.files``, ``common.table`` and ``common.cli`` the standard library only;
``common.checkpoint``, ``common.nn`` and ``common.images`` need torch.

* :mod:`common.validation` — scalar and choice checks with messages that name the bad value.
* :mod:`common.files` — every output file written atomically (text, JSON, figures, checkpoints).
* :mod:`common.table` — the resumable result table of a study or a benchmark (one CSV, keyed
  rows, each written atomically).
* :mod:`common.cli` — the scripts' conventions: one-line argument errors, exit codes.
"""
