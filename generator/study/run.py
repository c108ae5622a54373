"""One run of a study, from its settings to its result row: :func:`run_one` never raises for a
run that fails, so that a study records the failure and goes on.
"""

import math
import time

from dualgan.training import NonFiniteError

from ..evaluation.sampling import evaluate
from ..evaluation.suites import ALL_FIELDS, suite
from ..runs.build import build, make_trainer

#: The fields of a study's result row (:func:`run_one`), each once: the metrics of every kind of
#: target (:mod:`generator.evaluation.suites`; those of the other kinds are None), then the cost:
#: the steps trained (fewer than the run's ``steps`` when a wall-clock budget stopped it) and the
#: seconds.
RESULT_FIELDS = ("status",) + ALL_FIELDS + ("trained_steps", "wall_seconds", "train_seconds",
                                            "cpu_seconds", "max_seconds", "error")
#: The result columns added after the first tables were written: their old rows hold nothing.
#: ``max_seconds`` is the wall-clock budget a run trained under (inf: none; empty in a row of
#: before it was recorded).
ADDED_RESULTS = {"trained_steps": "", "channel_dependence": "", "max_seconds": ""}


def run_one(config, cache_dir=None):
    """Train and evaluate one run of a study; never raises for a run that fails.

    Parameters
    ----------
    config : RunConfig
    cache_dir : str, optional
        Where the image classifier is cached (default:
        :func:`generator.evaluation.classifier.default_cache_dir`).

    Returns
    -------
    dict
        ``config.to_dict()`` and :data:`RESULT_FIELDS` (the metrics of the other kind of target
        are None). ``status`` is ``"ok"``; ``"nonfinite"`` when training produced NaN/inf (then
        nothing covered, KL and distance nan); or ``"error"`` with the exception in ``error``.
        ``cpu_seconds`` is the process CPU time of the whole run (all threads).
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    row = {**config.to_dict(), **dict.fromkeys(RESULT_FIELDS), "error": ""}
    try:
        target, method = build(config)
        trainer = make_trainer(config, target, method, snapshots=0, progress=False)
        try:
            result = trainer.run()
            if result.interrupted:  # Ctrl-C stopped the run early: it is not a result
                raise KeyboardInterrupt
        except NonFiniteError as err:
            row.update(status="nonfinite", train_seconds=math.nan, error=str(err)[:300],
                       **suite(target).failed(target))
        else:
            metrics = evaluate(trainer, target, config.seed, cache_dir)[0]
            row.update(status="ok", train_seconds=result.seconds, trained_steps=result.step,
                       **{k: metrics[k] for k in suite(target).fields})
    except Exception as err:  # any error: a study records a failed run and goes on
        row.update(status="error", error=f"{type(err).__name__}: {err}"[:300])
    row["wall_seconds"] = time.perf_counter() - start
    row["cpu_seconds"] = time.process_time() - cpu_start
    row["max_seconds"] = math.inf  # a study's run trains its steps, without a budget
    return row
