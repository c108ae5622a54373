"""Settings of the dual method that work per target, shared by the examples and the sweep.

Fine lengthscales resolve the modes (std 0.02 on the ring, 0.05 on the grid), coarse ones pull
far-away samples in, and the quadratic block (first and second moments) keeps stray samples from
escaping where every random Fourier feature is flat. ``lr`` decays geometrically to
``lr_final`` over ``steps`` in the example; the stability sweep keeps ``lr`` constant.
"""

DUAL_PRESETS = {
    "ring": {"steps": 10000, "features": "rff+quadratic", "num_features": 128,
             "lengthscale": (0.1, 0.3, 1.0), "c": 30.0, "lr": 2e-3, "lr_final": 1e-4,
             "hidden": (256, 256, 256), "batch_size": 128},
    "grid": {"steps": 40000, "features": "rff", "num_features": 256,
             "lengthscale": (0.25, 0.75, 2.0), "c": 30.0, "lr": 2e-3, "lr_final": 1e-4,
             "hidden": (256, 256, 256), "batch_size": 128},
    "gaussian": {"steps": 2000, "features": "rff", "num_features": 64, "lengthscale": (1.0,),
                 "c": 30.0, "lr": 2e-2, "lr_final": 1e-3, "hidden": (256, 256, 256),
                 "batch_size": 128},
}
