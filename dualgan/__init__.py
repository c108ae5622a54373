"""What the three packages share: argument checks, output files, checkpoints, training loops.

It is named after the distribution (``pip install dualgan``), so that installing the project
claims no generic top-level name for its shared code (as scikit-learn's is ``sklearn.utils``).

One home for each mechanic, so that ``dual``, ``generator`` and ``vae`` raise the same errors,
write and read files by the same rules, and build the same networks. Submodules are imported on
demand: ``dualgan.validation`` needs numpy only (``dual`` uses it and stays free of torch),
``dualgan.files``, ``dualgan.lock``, ``dualgan.table``, ``dualgan.cli`` and ``dualgan.stats``
the standard library only; the others need torch.

* :mod:`dualgan.validation` — scalar and choice checks with messages that name the bad value.
* :mod:`dualgan.files` — every output file written atomically (text, JSON, figures, checkpoints);
  a refused write named in one error (``WriteFailedError``).
* :mod:`dualgan.lock` — one writer per output: an exclusive lock held for the writer's life.
* :mod:`dualgan.table` — the resumable result table of a study or a benchmark (one CSV, keyed
  rows, a header check, each row written atomically, each key once).
* :mod:`dualgan.checkpoint` — checkpoint rules: atomic save, checked load, same settings on resume.
* :mod:`dualgan.training` — the shape every training loop shares: finiteness checks, Ctrl-C,
  thread limits, checkpoint and resume.
* :mod:`dualgan.nn` — the multilayer-perceptron builder.
* :mod:`dualgan.images` — MNIST's IDX files and the bundled 8×8 digits, read and checked.
* :mod:`dualgan.stats` — a metric over seeds: mean, spread and worst seed.
* :mod:`dualgan.lazy` — a package's names imported on first use (PEP 562).
* :mod:`dualgan.cli` — the example scripts' exit codes, one-line argument errors and error lines.
"""
