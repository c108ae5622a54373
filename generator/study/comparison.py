"""The methods × seeds comparison of the linearized dual GAN with the gradient-trained GAN
(``examples/compare_image_gans.py``): a study with a budget policy, the metrics it reports (the
target's suite decides, :attr:`generator.evaluation.MetricSuite.compared`), their summary over
seeds, and the markdown table.

The runs are a grid of methods × seeds (:func:`comparison_runs`). :func:`run_comparison` runs
them through the study engine (:func:`generator.study.engine.run_study`: in process, or on a
Dask cluster) into the study table ``OUT/comparison.csv``, in two rounds: the linearized duals,
then each seed's gradient GAN for as many seconds of training as its dual took (or both for a
fixed budget). Each run trains into its own directory by
:func:`generator.runs.report.train_and_report` (:class:`DirectoryRun`), with its checkpoint and
``samples.npz``. A run whose row is in the table is skipped; one whose ``metrics.json`` is its
result (every reported metric, the same settings and budget) is read back, not trained; one
with a checkpoint resumes it, so a comparison given more steps extends its finished runs.
"""

import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from dualgan.stats import format_seeds, summarize_seeds
from dualgan.table import normalize
from dualgan.training import NonFiniteError

from ..data.targets import make_target
from ..evaluation.suites import DIGITS, LABELS, LARGER_IS_BETTER, suite
from ..methods.registry import method_spec
from ..runs.config import RunConfig
from ..runs.report import train_and_report
from . import engine
from .run import RESULT_FIELDS
from .store import StudyTable, config_key, row_key

#: The two methods compared, the exact one first (its time is the other's budget); tables name
#: them by their registry labels (:attr:`generator.methods.MethodSpec.label`).
METHODS = ("neural-dual", "mlp-ns")
#: The cost columns of the comparison, and the study row's column each is read from.
_COST = {"steps": "trained_steps", "seconds": "train_seconds", "cpu_seconds": "cpu_seconds"}


def comparison_runs(target, seeds, steps=None, architecture="mlp", **overrides):
    """The run of each method (:data:`METHODS`) and seed, from the target's presets in the named
    architecture (:data:`generator.runs.presets.ARCHITECTURES`), every one checked before the
    first trains; ``steps`` sets the dual's (the baseline's budget is the dual run's time,
    :func:`run_comparison`); an override given None keeps the preset's.

    Returns
    -------
    dict
        (method, seed) → RunConfig.
    """
    given = {k: v for k, v in {"steps": steps, **overrides}.items() if v is not None}
    return {(method, seed): RunConfig.from_preset(method, target, seed=seed,
                                                  architecture=architecture, **given)
            for seed in seeds for method in METHODS}


#: The baseline trains at most this many times the dual's steps: its budget is the time.
STEP_ALLOWANCE = 100


class ComparisonFailed(RuntimeError):
    """A run of the comparison failed (on a cluster, twice); the message names it and why."""


class BudgetMismatch(ValueError):
    """The table holds a run of the comparison trained under another wall-clock budget than
    this comparison gives it; the message names the run, both budgets and what to do."""


def _quiet(line):
    """A run's log lines on a cluster's worker: dropped (the study's progress bar reports)."""


@dataclass(frozen=True)
class DirectoryRun:
    """A study's run function (``run`` of :func:`generator.study.engine.run_study`) that trains
    each run into its own directory, ``out/<method>/seed<S>``, through
    :func:`~generator.runs.report.train_and_report`, and returns its study row (the fields of
    :func:`generator.study.run.run_one`).

    Unlike :func:`~generator.study.run.run_one`, an error is raised, not recorded: a comparison
    with a failed run has no result (on a cluster, the engine records it and retries it once).
    A run that diverged is a result: status ``"nonfinite"``, with its suite's failure values.

    Attributes
    ----------
    out : str
        The comparison's directory.
    budgets : dict
        Seed → seconds of training (a wall-clock budget); a seed not in it trains its steps.
    cache_dir : str, optional
        Where an image target's judging classifier is cached.
    progress : bool
        Show each run's progress bar (in process only).
    log : callable
        Where each run's lines go.
    """

    out: str
    budgets: dict = field(default_factory=dict)
    cache_dir: Optional[str] = None
    progress: bool = False
    log: Callable = _quiet

    def directory(self, config):
        """The run directory of ``config``."""
        return os.path.join(self.out, config.method, f"seed{config.seed}")

    def __call__(self, config):
        start = time.perf_counter()
        row = {**config.to_dict(), **dict.fromkeys(RESULT_FIELDS), "error": ""}
        target_suite = suite(config.data.target)
        try:
            metrics = self.run_or_read(config)
        except NonFiniteError as err:
            target = make_target(config.data.target, config.data.data_dir)
            row.update(status="nonfinite", error=str(err)[:300], **target_suite.failed(target))
        else:
            row.update(status="ok", **{k: metrics[k] for k in target_suite.fields},
                       **{column: metrics[key] for key, column in _COST.items()})
        row["wall_seconds"] = time.perf_counter() - start
        row["max_seconds"] = self.budgets.get(config.seed, math.inf)  # inf: none
        return row

    def run_or_read(self, config):
        """The metrics of a run: read from its ``metrics.json`` when they are this run's result
        (:meth:`is_result`), else trained (resumed from its checkpoint when there is one: a
        finished run with a constant rate is extended when ``config`` asks for more steps)."""
        out = self.directory(config)
        path = os.path.join(out, "metrics.json")
        if os.path.isfile(path):
            with open(path) as handle:
                metrics = json.load(handle)
            if self.is_result(metrics, config):
                return metrics
        resume = os.path.isfile(os.path.join(out, "checkpoint.pt"))
        report = train_and_report(config, out, resume=resume,
                                  max_seconds=self.budgets.get(config.seed),
                                  cache_dir=self.cache_dir, progress=self.progress,
                                  log=self.log)
        if report.interrupted:
            raise KeyboardInterrupt
        return report.metrics

    def is_result(self, metrics, config):
        """Whether a run directory's ``metrics`` (its ``metrics.json``) are the result of
        ``config`` under this study's budget: every reported metric, trained with the same
        settings (steps included) and the same wall-clock budget. A run scored before a metric
        existed, or trained for fewer steps or seconds than asked, is not."""
        return (not missing_metrics(metrics, config.data.target)
                and metrics.get("config") == json.loads(json.dumps(config.to_dict()))
                and metrics.get("max_seconds") == self.budgets.get(config.seed))


def run_comparison(runs, out, budget=None, cache_dir=None, progress=True, log=print,
                   scheduler=None, jobs=None, connect_timeout=10.0):
    """Run (or read back) every run of :func:`comparison_runs` as a study into
    ``out/comparison.csv``, each in ``out/<method>/seed<S>`` (:class:`DirectoryRun`).

    Budget policy: each seed's linearized dual runs first (for ``budget`` seconds when given);
    the gradient GAN then trains until it has spent the same seconds of training (at most
    :data:`STEP_ALLOWANCE` times the dual's steps). The runs of a round go to the engine that
    ``scheduler`` or ``jobs`` names (:func:`generator.study.engine.run_study`; in process when
    neither is given).

    Returns
    -------
    dict
        method → seed → the run's metrics: the compared ones (:func:`reported`), then ``steps``
        (trained), ``seconds`` (of training) and ``cpu_seconds``.

    Raises
    ------
    ComparisonFailed
        A run failed (its error is in the table; a new call runs it again).
    KeyboardInterrupt
        Ctrl-C stopped a run; its checkpoint is written, and a second call resumes it.
    """
    csv_path = os.path.join(out, "comparison.csv")
    StudyTable(csv_path).check()  # a damaged table is refused before any run starts
    seeds = sorted({seed for _, seed in runs})
    clusters = {"scheduler": scheduler, "jobs": jobs, "connect_timeout": connect_timeout,
                "log": log, "progress": progress}
    in_process = scheduler is None and jobs is None
    each = {"out": os.fspath(out), "cache_dir": cache_dir, "progress": progress and in_process,
            "log": log if in_process else _quiet}

    duals = {seed: runs["neural-dual", seed] for seed in seeds}
    fixed = {} if budget is None else dict.fromkeys(seeds, budget)
    _check_budgets(csv_path, duals, fixed)
    engine.run_study(list(duals.values()), csv_path, run=DirectoryRun(budgets=fixed, **each),
                     **clusters)
    dual_rows = _finished(csv_path, duals)

    budgets = {seed: _seconds(dual_rows[seed]) if budget is None else budget for seed in seeds}
    baselines = {seed: runs["mlp-ns", seed].replace(
        steps=STEP_ALLOWANCE * _steps(dual_rows[seed], duals[seed])) for seed in seeds}
    _check_budgets(csv_path, baselines, budgets)
    engine.run_study(list(baselines.values()), csv_path,
                     run=DirectoryRun(budgets=budgets, **each), **clusters)
    base_rows = _finished(csv_path, baselines)

    target = next(iter(runs.values())).data.target
    headline = suite(target).headline
    results = {"neural-dual": {}, "mlp-ns": {}}
    for seed in seeds:
        dual, baseline = (_metrics(rows[seed], target) for rows in (dual_rows, base_rows))
        results["neural-dual"][seed], results["mlp-ns"][seed] = dual, baseline
        log(f"seed {seed}: dual {headline} {dual[headline]:.3f} in {dual['steps']} steps, "
            f"baseline {headline} {baseline[headline]:.3f} in {baseline['steps']} steps "
            f"({budgets[seed]:.0f} s each)")
    return results


def _rows(csv_path, configs):
    """Seed → the table's row of each of ``configs`` (seed → config) that has one (the last row
    of a key: a retried run's)."""
    wanted = {config_key(config): seed for seed, config in configs.items()}
    rows = {}
    for row in StudyTable(csv_path).rows():
        if row_key(row) in wanted:
            rows[wanted[row_key(row)]] = row
    return rows


def _said(seconds):
    """A recorded budget in words (inf: none)."""
    return "no budget" if seconds == math.inf else f"a budget of {seconds:.6g} s"


def _check_budgets(csv_path, configs, budgets):
    """Refuse the table when it holds a run of ``configs`` (seed → config) trained under another
    budget than ``budgets`` (seed → seconds; a seed not in it: none, inf in the table) gives it:
    its row would be read back as this comparison's result. A row written before budgets were
    recorded is taken as it is."""
    for seed, row in _rows(csv_path, configs).items():
        if row["status"] == "error" or row["max_seconds"] == "":
            continue
        recorded, given = normalize(row["max_seconds"]), budgets.get(seed, math.inf)
        if recorded != given:
            raise BudgetMismatch(
                f"{csv_path} holds {row['method']} seed {seed} trained under "
                f"{_said(recorded)}, and this comparison gives it {_said(given)}: choose another "
                f"--out, or remove its row to train it again")


def _finished(csv_path, configs):
    """Seed → the row of each of ``configs`` (by seed) in the table; a failed run raises."""
    rows = _rows(csv_path, configs)
    for seed, config in configs.items():
        row = rows.get(seed)
        if row is None or row["status"] == "error":
            why = row["error"] if row is not None else "no row was written"
            raise ComparisonFailed(f"{config.method} seed {seed} failed: {why}; its error is in "
                                   f"{csv_path}; fix it and run the same command again")
    return rows


def _seconds(row):
    """A finished run's seconds of training, or for one that diverged the time it ran."""
    seconds = normalize(row["train_seconds"])
    return seconds if seconds is not None and math.isfinite(seconds) else normalize(
        row["wall_seconds"])


def _steps(row, config):
    """The steps a run trained (its ``steps`` for one that diverged)."""
    steps = normalize(row["trained_steps"])
    return steps if steps is not None else config.training.steps


def _metrics(row, target):
    """The reported metrics (:func:`reported`) of a study row, parsed."""
    metrics = {key: normalize(row[key]) for key in suite(target).compared}
    metrics.update({key: normalize(row[column]) for key, column in _COST.items()})
    return metrics


def reported(target):
    """The metrics a comparison on ``target`` (a name or a target) reports, then its cost."""
    return suite(target).compared + tuple(_COST)


def missing_metrics(metrics, target):
    """The reported metrics that a run's metrics lack (a run scored before they existed), in
    :func:`reported` order."""
    return [key for key in reported(target) if key not in metrics]


def summarize(runs, target):
    """Mean, standard deviation (ddof=1) and worst seed of each reported metric, per method."""
    return {method: {key: summarize_seeds({seed: m[key] for seed, m in by_seed.items()},
                                          LARGER_IS_BETTER[key])
                     for key in reported(target)}
            for method, by_seed in runs.items()}


def table(summary, runs, target):
    """The markdown table: mean ± std (worst seed) per metric, one row per method; then the
    headline's ratio, dual / gradient, per seed."""
    target_suite = suite(target)
    seeds = ", ".join(str(s) for s in next(iter(runs.values())))
    header = " | ".join(LABELS[key] for key in target_suite.compared)
    lines = [f"| method (seeds {seeds}) | {header} | steps | train seconds (wall) | CPU "
             f"seconds |", "|---|" + "---|" * len(reported(target))]
    for method, stats in summary.items():
        cells = []
        for key in reported(target):
            cells.append(format_seeds(stats[key], DIGITS.get(key, 0)))
        lines.append(f"| {method_spec(method).label} | " + " | ".join(cells) + " |")
    headline = target_suite.headline
    ratios = {seed: runs["neural-dual"][seed][headline] / runs["mlp-ns"][seed][headline]
              for seed in runs["mlp-ns"]}
    ratio = summarize_seeds(ratios, larger_is_better=LARGER_IS_BETTER[headline])
    lines.append("")
    lines.append(f"{LABELS[headline]}, dual / gradient, per seed: "
                 + ", ".join(f"seed {seed} {r:.2f}" for seed, r in ratios.items())
                 + f"; mean {ratio['mean']:.2f}, worst {ratio['worst']:.2f}")
    return "\n".join(lines)
