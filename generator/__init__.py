"""Generators trained against an exactly solved discriminator (SPEC 4, SPEC 7), and the baselines.

The subpackages, in the order a run uses them:

* :mod:`.data` — the targets: 2-D Gaussian mixtures and image data sets (8×8 digits, MNIST,
  Stacked MNIST), each with its ``kind``;
* :mod:`.nets` — generators G_θ, fixed feature maps φ, network discriminators and their input
  maps, the discriminator's tangent kernel (SPEC 7);
* :mod:`.methods` — what one training step does: the exact dual method on fixed features, the
  linearized dual of a neural discriminator (SPEC 7), the gradient-trained GANs; the registry
  :data:`~generator.methods.METHODS` is the one table of methods;
* :mod:`.training` — the loop (seeds, checkpoints, resume, Ctrl-C, progress, weight average);
* :mod:`.evaluation` — one metric suite per kind of target, the judging classifier, the
  Fréchet arithmetic, reproducible sampling;
* :mod:`.plotting` — figures of a run;
* :mod:`.runs` — a run's settings, the per-target presets, and the objects built from them;
* :mod:`.study` — many runs: the grid, the resumable table, the engine (in process or on
  Dask), the summary over seeds, the methods × seeds comparison, step timing;
* :mod:`.cli` — the command line of one GAN run, shared by the example scripts;
* :mod:`.theory` — standard GAN theory on 1-D densities by quadrature (SPEC 5). It needs numpy
  and scipy only: ``import generator.theory`` does not import torch.

The names below are imported on first use, so that importing a torch-free submodule stays light.
"""

from dualgan.lazy import lazy_exports

_EXPORTS = {
    "AffineGenerator": "nets.generators", "MLPGenerator": "nets.generators",
    "make_generator": "nets.generators", "sample_latent": "nets.generators",
    "Concat": "nets.features", "Identity": "nets.features", "IdentityBias": "nets.features",
    "Quadratic": "nets.features", "RandomFourier": "nets.features",
    "make_features": "nets.features", "GaussianMixture": "data.targets",
    "ImageTarget": "data.targets", "StackedImageTarget": "data.targets", "Target": "data.targets",
    "make_target": "data.targets", "mode_metrics": "evaluation.points",
    "moment_errors": "evaluation.points", "sample_covariance": "evaluation.points",
    "sample_mean": "evaluation.points", "DualConfig": "methods.feature_dual",
    "DualMethod": "methods.feature_dual", "NeuralDualConfig": "methods.neural_dual",
    "NeuralDualMethod": "methods.neural_dual", "BaselineConfig": "methods.baseline",
    "BaselineMethod": "methods.baseline", "make_baseline": "methods.baseline",
    "MethodSpec": "methods.registry", "TrainingMethod": "methods.protocol",
    "OptimizerSettings": "methods.schedule", "LinearFeatureDiscriminator": "nets.discriminators",
    "MLPDiscriminator": "nets.discriminators", "ConvDiscriminator": "nets.discriminators",
    "GANTrainConfig": "training.trainer", "GANTrainResult": "training.trainer",
    "GANTrainer": "training.trainer", "PRESETS": "runs.presets", "RunConfig": "runs.config",
    "build": "runs.build", "make_trainer": "runs.build", "evaluate": "evaluation.sampling",
    "train_and_report": "runs.report",
    "run_one": "study.run", "MetricSuite": "evaluation.suites", "suite": "evaluation.suites",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
