"""What the three packages share: argument checks, output files, checkpoints, training loops.

One home for each mechanic, so that ``dual``, ``generator`` and ``vae`` raise the same errors,
write and read files by the same rules, and build the same networks. Submodules are imported on
demand: ``common.validation`` needs numpy only (``dual`` uses it and stays free of torch),
``common.files``, ``common.table``, ``common.cli`` and ``common.stats`` the standard library
only; the others need torch.

* :mod:`common.validation` — scalar and choice checks with messages that name the bad value.
* :mod:`common.files` — every output file written atomically (text, JSON, figures, checkpoints).
* :mod:`common.table` — the resumable result table of a study or a benchmark (one CSV, keyed
  rows, a header check, each row written atomically).
* :mod:`common.checkpoint` — checkpoint rules: atomic save, checked load, same settings on resume.
* :mod:`common.training` — the shape every training loop shares: finiteness checks, Ctrl-C,
  thread limits, checkpoint and resume.
* :mod:`common.nn` — the multilayer-perceptron builder.
* :mod:`common.images` — MNIST's IDX files and the bundled 8×8 digits, read and checked.
* :mod:`common.stats` — a metric over seeds: mean, spread and worst seed.
* :mod:`common.cli` — the example scripts' exit codes, one-line argument errors and error lines.
"""
