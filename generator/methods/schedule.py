"""The learning-rate schedule the methods share."""


def geometric_lr(lr, lr_final, decay_steps, step):
    """lr·(lr_final/lr)^min(step/decay_steps, 1) at 0-based ``step``; ``lr`` if there is no decay.

    No decay when ``lr_final`` is None or ``decay_steps`` ≤ 0.
    """
    if lr_final is None or decay_steps <= 0:
        return lr
    return lr * (lr_final / lr) ** min(step / decay_steps, 1.0)
