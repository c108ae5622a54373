"""The runs of a stability study: the generator's learning rate × the discriminator's step size ×
seeds × methods on one target.

Every setting but the learning rates, the discriminator's step, the seed and the number of steps
comes from the target's preset (:mod:`generator.runs.presets`), with the given overrides on top;
the learning rate is constant (the study asks how each method copes with one step size). The
discriminator's step is each method's own setting (:attr:`generator.methods.MethodSpec.d_step`):
the linearized dual's trust region ``kappa``, a gradient-trained discriminator's learning rate
``d_lr``; a method whose setting is not given keeps its preset's.
"""

from dualgan.validation import check_int, check_positive, check_positive_int

from ..methods.registry import method_spec
from ..runs.config import RunConfig

#: The methods a stability study compares: the exact discriminators and their gradient twins.
STUDY_METHODS = ("dual", "neural-dual", "linear-gd", "mlp-ns")


def d_step_values(method, d_steps):
    """The values of ``method``'s discriminator step in the grid: ``d_steps[setting]`` for its
    setting (:attr:`~generator.methods.MethodSpec.d_step`), or ``(None,)`` (the preset's)."""
    setting = method_spec(method).d_step
    values = (d_steps or {}).get(setting) if setting else None
    return tuple(values) if values else (None,)


def stability_grid(target, methods, lrs, seed, num_seeds, steps, d_steps=None,
                   architecture="mlp", **overrides):
    """All runs of the grid, interleaved so that a partial study covers every method.

    Parameters
    ----------
    target : str
    methods : sequence of str
        Methods whose presets can run on ``target`` (:func:`~generator.study.available_methods`).
    lrs : sequence of float
        The generator's learning rates (constant over each run).
    seed, num_seeds : int
        The seeds ``seed, …, seed + num_seeds − 1``.
    steps : int
        Generator steps of every run.
    d_steps : dict, optional
        Setting name → values: the discriminator's step sizes, e.g.
        ``{"kappa": [0.1, 1, 10], "d_lr": [2e-5, 2e-4, 2e-3]}``; each method takes the values of
        its own setting (:func:`d_step_values`); a setting given None keeps the presets'.
    architecture : str
        The networks, by name (:data:`generator.runs.presets.ARCHITECTURES`).
    **overrides
        Further :class:`RunConfig` settings by their flat names (None: the preset's).

    Returns
    -------
    list of RunConfig
        len(lrs) × num_seeds × Σ_methods len(d_step_values(method)) runs.

    Raises
    ------
    ValueError, TypeError
        An empty axis, a step size that is not positive, or a setting that
        :meth:`RunConfig.from_preset` refuses.
    """
    check_int(seed, "seed", minimum=0)
    check_positive_int(num_seeds, "num_seeds")
    if not methods or not lrs:
        raise ValueError(f"a grid needs methods and learning rates, got methods={list(methods)} "
                         f"and lrs={list(lrs)}")
    d_steps = {k: v for k, v in (d_steps or {}).items() if v is not None}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for setting, values in d_steps.items():
        for value in values:
            check_positive(value, setting)
    runs = []
    for s in range(seed, seed + num_seeds):
        for lr in lrs:
            for m in methods:
                setting = method_spec(m).d_step
                for value in d_step_values(m, d_steps):
                    step = {setting: value} if value is not None else {}
                    runs.append(RunConfig.from_preset(m, target, seed=s,
                                                      architecture=architecture, lr=lr,
                                                      steps=steps, lr_final=None,
                                                      **{**overrides, **step}))
    return runs
