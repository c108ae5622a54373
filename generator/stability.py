"""One run of the learning-rate stability study, and the bookkeeping of a resumable sweep.

A run trains one method on one target for a fixed number of steps with the shared trainer and
evaluates the final generator with the mode protocol of :mod:`generator.metrics` (2500 points
from a fixed latent batch). The methods share everything but the discriminator:

* ``"dual"`` — the exact discriminator through ``dual.solve`` (SPEC 4), generator Adam at ``lr``;
* ``"linear-gd"`` — the same D_w = σ(−wᵀφ(x)), same φ and c (SPEC 1), trained by one Adam step
  per generator step, both players at ``lr``, minimax generator loss (the dual method's);
* ``"mlp-ns"`` — an MLP discriminator, non-saturating generator loss, both players at ``lr``.

For a given seed every method starts from the same generator weights and the same feature map.

The sweep's CSV holds one row per finished run; :func:`completed_keys` reads it back so a
sweep can resume without redoing runs (key: method, lr, seed, target, steps).
"""

import csv
import math
import os
import time
from dataclasses import asdict, dataclass

import torch

from .baseline import make_baseline
from .dual_method import DualConfig, DualMethod
from .features import make_features
from .metrics import mode_metrics
from .models import MLPGenerator
from .presets import DUAL_PRESETS
from .targets import make_target
from .trainer import NonFiniteError, TrainConfig, Trainer

SWEEP_METHODS = ("dual", "linear-gd", "mlp-ns")
_RING = DUAL_PRESETS["ring"]
KEY_FIELDS = ("method", "lr", "seed", "target", "steps")
FIELDS = KEY_FIELDS + ("status", "modes_covered", "num_modes", "high_quality_fraction",
                       "reverse_kl", "wall_seconds", "train_seconds", "error")


@dataclass(frozen=True)
class RunSpec:
    """Everything one run depends on (the first five fields are its key in the CSV)."""

    method: str  # one of SWEEP_METHODS
    lr: float  # generator learning rate (and the discriminator's, for the gradient-trained ones)
    seed: int
    target: str = "ring"
    steps: int = 2000
    batch_size: int = _RING["batch_size"]
    latent_dim: int = 2
    hidden: tuple = _RING["hidden"]  # generator (and MLP discriminator) hidden widths
    features: str = _RING["features"]  # φ of the dual and linear-gd discriminators
    num_features: int = _RING["num_features"]  # RFF features per lengthscale
    lengthscale: tuple = _RING["lengthscale"]
    c: float = _RING["c"]  # SPEC 1 L2 weight (dual and linear-gd)

    @classmethod
    def for_target(cls, target, **fields):
        """A spec with the dual method's preset for ``target`` (generator/presets.py)."""
        preset = DUAL_PRESETS[target]
        keys = ("batch_size", "hidden", "features", "num_features", "lengthscale", "c")
        defaults = {key: preset[key] for key in keys}
        defaults.update(fields)
        return cls(target=target, **defaults)

    @property
    def key(self):
        """(method, lr, seed, target, steps): identifies the run in a sweep's CSV."""
        return run_key(self.method, self.lr, self.seed, self.target, self.steps)


def run_key(method, lr, seed, target, steps):
    """The normalized key of a run (floats and ints parsed, so CSV text round-trips)."""
    return (str(method), float(lr), int(seed), str(target), int(steps))


def build_method(spec, target):
    """The method object of ``spec`` with its generator; seeds torch with ``spec.seed`` first."""
    if spec.method not in SWEEP_METHODS:
        raise ValueError(f"method must be one of {list(SWEEP_METHODS)}, got {spec.method!r}")
    torch.manual_seed(spec.seed)  # same initial generator for every method of this seed
    generator = MLPGenerator(spec.latent_dim, target.dim, hidden=spec.hidden)
    feats = make_features(spec.features, target.dim, num_features=spec.num_features,
                          lengthscale=spec.lengthscale, seed=spec.seed)
    if spec.method == "dual":
        return DualMethod(generator, feats, DualConfig(c=spec.c, lr=spec.lr))
    return make_baseline(spec.method, generator, target.dim, features=feats, c=spec.c,
                         lr=spec.lr, d_lr=spec.lr, hidden=spec.hidden, target=target,
                         seed=spec.seed)


def run_one(spec):
    """Train and evaluate one run; never raises for a diverging run.

    Returns
    -------
    dict
        A CSV row (:data:`FIELDS`). ``status`` is ``"ok"``, or ``"nonfinite"`` when training
        produced NaN/inf (then 0 modes, 0 high-quality points, reverse KL nan), or ``"error"``
        with the message in ``error``.
    """
    start = time.perf_counter()
    row = {"method": spec.method, "lr": repr(float(spec.lr)), "seed": int(spec.seed),
           "target": spec.target, "steps": int(spec.steps), "error": ""}
    target = make_target(spec.target)
    try:
        method = build_method(spec, target)
        trainer = Trainer(method, target, TrainConfig(steps=spec.steps,
                                                      batch_size=spec.batch_size,
                                                      seed=spec.seed, snapshots=1,
                                                      progress=False))
        result = trainer.run()
        m = mode_metrics(result.snapshots[spec.steps], target)
        row.update(status="ok", modes_covered=m["modes_covered"], num_modes=m["num_modes"],
                   high_quality_fraction=m["high_quality_fraction"],
                   reverse_kl=m["reverse_kl"], train_seconds=result.seconds)
    except NonFiniteError as err:
        row.update(status="nonfinite", modes_covered=0, num_modes=target.num_modes,
                   high_quality_fraction=0.0, reverse_kl=math.nan, train_seconds=math.nan,
                   error=str(err)[:200])
    except Exception as err:  # noqa: BLE001 - a sweep records a failed run and goes on
        row.update(status="error", modes_covered="", num_modes=target.num_modes,
                   high_quality_fraction="", reverse_kl="", train_seconds="",
                   error=f"{type(err).__name__}: {err}"[:200])
    row["wall_seconds"] = time.perf_counter() - start
    return row


def worker_init(warm_up=True):
    """Process-pool initializer: one torch thread per worker (the pool provides parallelism).

    With ``warm_up``, one 1-step run of each method first pays the process's one-time costs
    (lazy imports, the solver check, first torch kernels, about 2 s), so that ``wall_seconds``
    of the real runs measures the runs alone.
    """
    torch.set_num_threads(1)
    if warm_up:
        for method in SWEEP_METHODS:
            run_one(RunSpec(method=method, lr=1e-3, seed=0, steps=1, batch_size=8,
                            num_features=8))


# --------------------------------------------------------------------------- the CSV


def read_rows(path):
    """The complete rows of a sweep CSV (a torn last line, from a crash mid-write, is skipped)."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as fh:
        rows = []
        for row in csv.DictReader(fh):
            if any(row.get(k) in (None, "") for k in KEY_FIELDS + ("status", "wall_seconds")):
                continue
            try:
                run_key(*(row[k] for k in KEY_FIELDS))
                float(row["wall_seconds"])
            except ValueError:
                continue
            rows.append(row)
    return rows


def completed_keys(path):
    """Keys of the runs already in the CSV (any status but ``"error"``, which is retried)."""
    return {run_key(*(r[k] for k in KEY_FIELDS)) for r in read_rows(path)
            if r["status"] != "error"}


def append_row(path, row):
    """Append one row (writing the header first if the file is new), flushed to disk."""
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    if not new:
        with open(path, "rb") as fh:  # finish a torn last line so the new row starts clean
            fh.seek(-1, os.SEEK_END)
            torn = fh.read(1) != b"\n"
    with open(path, "a", newline="") as fh:
        if not new and torn:
            fh.write("\n")
        writer = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow(row)
        fh.flush()
        os.fsync(fh.fileno())


def spec_dict(spec):
    """A JSON-friendly dict of a spec."""
    d = asdict(spec)
    d["hidden"] = list(d["hidden"])
    return d


# --------------------------------------------------------------------------- the summary


def _mean_se(values):
    """Mean and standard error (std with ddof=1 over √n; nan for n < 2) of the finite values."""
    vals = [v for v in values if math.isfinite(v)]
    n = len(vals)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(vals) / n
    if n < 2:
        return mean, math.nan, n
    var = sum((v - mean) ** 2 for v in vals) / (n - 1)
    return mean, math.sqrt(var / n), n


def _num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def summarize(rows):
    """Mean ± standard error over seeds, per (method, target, steps, lr).

    The last row of a key wins (a retried error replaces the failed attempt); rows with status
    ``"error"`` are left out. A ``"nonfinite"`` run counts as 0 modes and 0 high-quality points;
    its reverse KL is undefined and left out of that mean (``reverse_kl_n`` counts the runs used).

    Returns
    -------
    list of dict, sorted by method, target, steps, lr.
    """
    latest = {}
    for row in rows:
        latest[run_key(*(row[k] for k in KEY_FIELDS))] = row
    groups = {}
    for (method, lr, _seed, target, steps), row in latest.items():
        if row["status"] != "error":
            groups.setdefault((method, target, steps, lr), []).append(row)
    out = []
    for (method, target, steps, lr), group in sorted(groups.items()):
        modes, modes_se, n = _mean_se([_num(r["modes_covered"]) for r in group])
        hq, hq_se, _ = _mean_se([_num(r["high_quality_fraction"]) for r in group])
        rkl, rkl_se, rkl_n = _mean_se([_num(r["reverse_kl"]) for r in group])
        wall, wall_se, _ = _mean_se([_num(r["wall_seconds"]) for r in group])
        num_modes = int(_num(group[0]["num_modes"]))
        out.append({
            "method": method, "target": target, "steps": steps, "lr": lr, "runs": n,
            "modes_covered": modes, "modes_covered_se": modes_se,
            "all_modes_runs": sum(int(_num(r["modes_covered"]) == num_modes) for r in group),
            "num_modes": num_modes,
            "high_quality_fraction": hq, "high_quality_fraction_se": hq_se,
            "reverse_kl": rkl, "reverse_kl_se": rkl_se, "reverse_kl_n": rkl_n,
            "wall_seconds": wall, "wall_seconds_se": wall_se,
            "nonfinite_runs": sum(r["status"] == "nonfinite" for r in group),
        })
    return out
