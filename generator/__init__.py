"""Generators trained against an exactly solved discriminator (SPEC 4, SPEC 7), and the baselines.

Building blocks:

* :mod:`.models` — the generator networks G_θ and the latent prior;
* :mod:`.features` — fixed feature maps φ of the exact discriminator;
* :mod:`.targets` — 2-D Gaussian mixtures and image data sets (8×8 digits, MNIST, Stacked
  MNIST); :mod:`.metrics` — mode coverage, reverse KL, moments; :mod:`.image_metrics` and
  :mod:`.stacked_metrics` — what the classifier of :mod:`.classifier` says of generated images;
* :mod:`.methods` — what one training step does: the exact dual method on fixed features, the
  linearized dual of a neural discriminator (SPEC 7), the gradient-trained GANs;
* :mod:`.ntk` — the discriminator's tangent kernel from per-layer factors (SPEC 7);
* :mod:`.trainer` — the loop (seeds, checkpoints, resume, Ctrl-C, progress);
* :mod:`.presets` and :mod:`.experiment` — one run from its settings to its metrics, shared by
  the example scripts and the stability study;
* :mod:`.study` — a study: its grid of runs, run in process or on a Dask cluster into a
  resumable table keyed by every setting, and summarized over seeds;
* :mod:`.cli` — the command line of one GAN run (options, checks, the run to its outputs),
  shared by the example scripts;
* :mod:`.classifier` and :mod:`.image_metrics` — the classifiers the project trains to judge
  generated images, and the class coverage and Fréchet classifier distance they give;
* :mod:`.plots` and :mod:`.image_plots` — figures of a run;
* :mod:`.theory` — standard GAN theory on 1-D densities by quadrature (SPEC 5). It needs numpy
  and scipy only: ``import generator.theory`` does not import torch.

The names below are imported on first use, so that importing a torch-free submodule stays light.
"""

from dualgan.lazy import lazy_exports

_EXPORTS = {
    "AffineGenerator": "models", "MLPGenerator": "models", "make_generator": "models",
    "sample_latent": "models",
    "Concat": "features", "Identity": "features", "IdentityBias": "features",
    "Quadratic": "features", "RandomFourier": "features", "make_features": "features",
    "GaussianMixture": "targets", "ImageTarget": "targets", "StackedImageTarget": "targets",
    "Target": "targets",
    "make_target": "targets",
    "mode_metrics": "metrics", "moment_errors": "metrics", "sample_covariance": "metrics",
    "sample_mean": "metrics",
    "DualConfig": "methods.feature_dual", "DualMethod": "methods.feature_dual",
    "NeuralDualConfig": "methods.neural_dual", "NeuralDualMethod": "methods.neural_dual",
    "BaselineConfig": "methods.baseline", "BaselineMethod": "methods.baseline",
    "make_baseline": "methods.baseline",
    "MethodSpec": "methods.registry", "TrainingMethod": "methods.protocol",
    "OptimizerSettings": "methods.schedule",
    "LinearFeatureDiscriminator": "methods.discriminators",
    "MLPDiscriminator": "methods.discriminators",
    "ConvDiscriminator": "methods.discriminators",
    "GANTrainConfig": "trainer", "GANTrainResult": "trainer", "GANTrainer": "trainer",
    "PRESETS": "presets",
    "RunConfig": "experiment", "build": "experiment", "evaluate": "experiment",
    "make_trainer": "experiment", "run_one": "experiment",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
