"""Studies: many runs of one configuration each, resumable, and their summary.

* :mod:`.grid` — the runs of a learning-rate stability study (:func:`stability_grid`);
* :mod:`.run` — one run of a study, from its settings to its result row (:func:`run_one`);
* :mod:`.store` — the study's result table, one row per run, keyed by every setting of the run;
* :mod:`.engine` — the runs in this process or on a Dask cluster, each row written as it comes
  (imports torch and threadpoolctl; Dask only when a cluster is asked for);
* :mod:`.summary` — mean ± standard error over seeds, the markdown table, and which methods a
  target's presets allow;
* :mod:`.comparison` — the methods × seeds comparison, a study with a budget policy: mean,
  spread and worst seed per metric;
* :mod:`.timing` — the cost of a training step, per method.
"""

from .grid import STUDY_METHODS, stability_grid
from .store import FIELDS, KEY_FIELDS, StudyTable, config_key, row_key
from .summary import available_methods, markdown_table, mean_se, method_order, summarize

__all__ = ["FIELDS", "KEY_FIELDS", "STUDY_METHODS", "StudyTable", "available_methods",
           "config_key", "markdown_table", "mean_se", "method_order", "row_key",
           "stability_grid", "summarize"]
