"""The runs of a learning-rate stability study: learning rates × seeds × methods on one target.

Every setting but the learning rate, the seed and the number of steps comes from the target's
preset (:mod:`generator.runs.presets`), with the given overrides on top; the learning rate is
constant (the study asks how each method copes with one step size).
"""

import dataclasses

from dualgan.validation import check_int, check_positive_int

from ..runs.config import RunConfig

#: The methods a stability study compares: the exact discriminators and their gradient twins.
STUDY_METHODS = ("dual", "neural-dual", "linear-gd", "mlp-ns")


def stability_grid(target, methods, lrs, seed, num_seeds, steps, **overrides):
    """All runs of the grid, interleaved so that a partial study covers every method.

    Parameters
    ----------
    target : str
    methods : sequence of str
        Methods whose presets can run on ``target`` (:func:`~generator.study.available_methods`).
    lrs : sequence of float
    seed, num_seeds : int
        The seeds ``seed, …, seed + num_seeds − 1``.
    steps : int
        Generator steps of every run.
    **overrides
        Further :class:`RunConfig` settings (None: the preset's).

    Returns
    -------
    list of RunConfig

    Raises
    ------
    ValueError, TypeError
        A setting that :meth:`RunConfig.from_preset` refuses.
    """
    check_int(seed, "seed", minimum=0)
    check_positive_int(num_seeds, "num_seeds")
    if not methods or not lrs:
        raise ValueError(f"a grid needs methods and learning rates, got methods={list(methods)} "
                         f"and lrs={list(lrs)}")
    return [dataclasses.replace(RunConfig.from_preset(m, target, seed=s, lr=lr, steps=steps,
                                                      **overrides), lr_final=None)
            for s in range(seed, seed + num_seeds) for lr in lrs for m in methods]
