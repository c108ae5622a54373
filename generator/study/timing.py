"""The cost of one training step, method against method, measured in one process.

:func:`step_costs` builds every method from the same preset (the same generator, discriminator
and minibatches), then times their steps *interleaved*: step k of every method runs before step
k + 1 of any, so that whatever else the machine does falls on all of them alike. Each step is
timed in CPU seconds of this process with one torch and one BLAS thread (so that idle BLAS
threads spinning after a call are not counted), and in wall seconds. For the linearized dual
(SPEC 7) the step's log splits it into the tangent kernel (per-sample factors and K), the exact
solve, and the rest (the networks' forward and backward passes and the update).
"""

import time

import torch

from dualgan.training import torch_threads
from dualgan.validation import check_int, check_positive_int

from ..nets.generators import sample_latent
from ..runs.build import build
from ..runs.config import RunConfig


def step_costs(target, methods=("neural-dual", "mlp-ns"), steps=100, warmup=10, seed=0,
               **overrides):
    """Median seconds per step of each method on ``target``, measured interleaved.

    Parameters
    ----------
    target : str
        A target of :data:`generator.runs.presets.PRESETS`.
    methods : sequence of str
        Methods of :data:`generator.runs.config.METHODS`, each built from the target's preset.
    steps : int
        Timed steps per method.
    warmup : int
        Untimed steps first (lazy initialization, first kernels).
    seed : int
    **overrides
        Further :class:`RunConfig` settings (``data_dir``, ``batch_size``, ...).

    Returns
    -------
    dict
        method → ``{"cpu": ..., "wall": ...}`` median seconds per step, and for the neural dual
        ``"kernel"`` and ``"solve"`` (median wall seconds of those parts) and ``"networks"``
        (the median step's wall time less both).
    """
    steps = check_positive_int(steps, "steps")
    warmup = check_int(warmup, "warmup", minimum=0)
    runs = {}
    for name in methods:
        config = RunConfig.from_preset(name, target, seed=seed, **overrides)
        runs[name] = (config, *build(config))
    config, data, _ = runs[methods[0]]  # one preset: every method sees the same minibatches
    data_rng = torch.Generator().manual_seed(seed)
    latent_rng = torch.Generator().manual_seed(seed + 1)
    times = {name: {"cpu": [], "wall": [], "kernel": [], "solve": []} for name in methods}
    split = set()  # the methods whose steps time their tangent kernel (the neural dual)
    with torch_threads(1):
        for k in range(warmup + steps):
            real = data.sample(config.training.batch_size, data_rng)
            latent = sample_latent(config.training.batch_size, config.networks.latent_dim,
                                   latent_rng)
            for name, (_, _, method) in runs.items():
                dtype = next(method.g_net.parameters()).dtype
                cpu, wall = time.process_time(), time.perf_counter()
                log = method.step(real.to(dtype), latent.to(dtype))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                if k >= warmup:
                    times[name]["cpu"].append(cpu)
                    times[name]["wall"].append(wall)
                    times[name]["kernel"].append(log.get("kernel_seconds", 0.0))
                    times[name]["solve"].append(log.get("solve_seconds", 0.0))
                    if "kernel_seconds" in log:
                        split.add(name)
    out = {}
    for name, t in times.items():
        median = {key: float(torch.tensor(values).median()) for key, values in t.items()}
        if name in split:
            median["networks"] = median["wall"] - median["kernel"] - median["solve"]
        else:
            median.pop("kernel")
            median.pop("solve")
        out[name] = median
    return out
