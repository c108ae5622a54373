"""Settings that work per target: the one source for the example scripts and the stability study.

Every method of :mod:`generator.runs.config` reads the same preset, so that a comparison between
methods on a target uses the same generator, minibatch size, step budget and learning rates.

Fine lengthscales resolve the modes (std 0.02 on the ring, 0.05 on the grid), coarse ones pull
far-away samples in, and the quadratic block (first and second moments) keeps stray samples from
escaping where every random Fourier feature is flat. ``lr`` decays geometrically to
``lr_final`` over ``steps``; the stability study keeps ``lr`` constant.

A nested dict under a method's name overrides the target's settings for that method.
"""

from dualgan.validation import check_choice

from ..data.targets import IMAGE_TARGETS

_NETWORKS = {"generator": "mlp", "hidden": (256, 256, 256), "latent_dim": 2,
             "d_hidden": (256, 256, 256), "batch_size": 128, "c": 30.0}

_IMAGES = {"generator": "pixels", "hidden": (256, 512), "latent_dim": 64,
           "d_hidden": (256, 256), "batch_size": 64, "lr": 2e-4, "lr_final": None,
           "neural-dual": {"kappa": 1.0, "lr": 1e-3}}

PRESETS = {
    "ring": {**_NETWORKS, "steps": 10000, "features": "rff+quadratic", "num_features": 128,
             "lengthscale": (0.1, 0.3, 1.0), "lr": 2e-3, "lr_final": 1e-4,
             "neural-dual": {"steps": 6000, "d_hidden": (128, 128), "kappa": 3.0, "lr": 1e-3,
                             "lr_final": 5e-5}},
    "grid": {**_NETWORKS, "steps": 40000, "features": "rff", "num_features": 256,
             "lengthscale": (0.25, 0.75, 2.0), "lr": 2e-3, "lr_final": 1e-4,
             # the ring's neural-dual settings, untuned here, with a longer budget
             "neural-dual": {"steps": 12000, "d_hidden": (128, 128), "kappa": 3.0, "lr": 1e-3,
                             "lr_final": 5e-5}},
    # images: pixels in [0, 1] from an MLP with batch norm and a sigmoid output (the
    # "pixels" generator); the gradient GAN's usual Adam 2e-4, β₁ = 0.5, constant
    "digits": {**_IMAGES, "steps": 3000},
    # mnist: the discriminator sees the pixels centred (2x − 1), both methods: with x in [0, 1]
    # a common component dominates the tangent kernel and the dual's generator collapsed
    "mnist": {**_IMAGES, "steps": 20000, "d_input": "centered"},
    # three MNIST digits as channels (D = 2,352): the mnist networks and input map; for the
    # dual, an adaptive trust region (in effect at its bound, kappa_min = 0.1; lower bounds
    # collapse the generator) and a decaying rate (tuned on seed 100, 5,000 steps: modes
    # 689 → 976 and mode KL 1.58 → 0.63 against κ = 1 fixed; docs/results.md)
    # Both methods draw their samples from the generator's weights averaged with decay 0.9995
    # (seed 100, equal time: mode KL dual 0.51 → 0.37, gradient GAN 0.56 → 0.35; 0.999 gave
    # 0.41 and 0.35; docs/results.md).
    "stacked-mnist": {**_IMAGES, "steps": 10000, "d_input": "centered", "ema": 0.9995,
                      "neural-dual": {**_IMAGES["neural-dual"], "trust": "adaptive",
                                      "lr_final": 1e-4}},
    # the affine Gaussian fit needs a larger step
    "gaussian": {**_NETWORKS, "steps": 2000, "features": "rff", "num_features": 64,
                 "lengthscale": (1.0,), "lr": 2e-2, "lr_final": 1e-3},
}


#: Named network configurations of the image targets: ``architecture=`` of
#: :meth:`~generator.runs.config.RunConfig.from_preset` (``--architecture`` of the image scripts),
#: its settings taking the place of the target's preset's (:func:`architecture_preset`). ``"mlp"``
#: is the presets as they are. ``"conv"``: the same convolutional networks for both methods, a
#: DCGAN-style generator (7 × 7 × 128 → 14 × 14 × 64 → 28 × 28, batch norm and ReLU, sigmoid) and
#: two stride-2 convolutions (32, 64) as the discriminator, 5,000 dual steps (about 30 minutes of
#: CPU on Stacked MNIST, one thread), constant rates. The rates and κ are the best of the study in
#: docs/data/conv_tuning_stacked (seed 100, 3,000 steps; docs/results.md): the dual's generator
#: Adam 1e-3 with κ = 0.1 fixed (942 modes, mode KL 0.79; κ = 1: 906, 0.94; rate 2e-4: 382 and
#: 161 modes); the gradient GAN's generator Adam 1e-3 against its discriminator's 2e-4 (896
#: modes, 1.15; DCGAN's 2e-4 for both: 37 modes).
ARCHITECTURES = {
    "mlp": {},
    "conv": {"generator": "conv", "g_channels": (128, 64), "d_arch": "conv",
             "d_channels": (32, 64), "steps": 5000, "ema": 0.999, "lr": 1e-3,
             "lr_final": None,
             "neural-dual": {"trust": "scaled", "kappa": 0.1},
             "mlp-ns": {"d_lr": 2e-4}},
}


def architecture_preset(target, architecture="mlp"):
    """The preset of ``target`` in the named architecture: its settings take the place of the
    target's, in the target's entries for a method too, and its own method entries are merged
    into the target's."""
    check_choice(architecture, "architecture", ARCHITECTURES)
    check_choice(target, "target", PRESETS)
    preset, overlay = PRESETS[target], ARCHITECTURES[architecture]
    if overlay and target not in IMAGE_TARGETS:
        raise ValueError(f"architecture {architecture!r} is for the image targets "
                         f"{list(IMAGE_TARGETS)}, got target {target!r}")
    common = {k: v for k, v in overlay.items() if not isinstance(v, dict)}
    out = {k: v for k, v in preset.items() if not isinstance(v, dict)}
    out.update(common)
    for method in {k for k, v in (*preset.items(), *overlay.items()) if isinstance(v, dict)}:
        own = {k: v for k, v in preset.get(method, {}).items() if k not in common}
        out[method] = {**own, **overlay.get(method, {})}
    return out


def preset_keys():
    """The settings some target's preset sets, for any method (flat names)."""
    keys = set()
    for preset in (*PRESETS.values(), *ARCHITECTURES.values()):
        for key, value in preset.items():
            keys.update(value if isinstance(value, dict) else (key,))
    return frozenset(keys)
