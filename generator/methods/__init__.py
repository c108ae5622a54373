"""Training methods for :class:`generator.GANTrainer`: what happens in one generator step.

* :mod:`.feature_dual` — the exact discriminator on fixed features, solved through its dual,
  and the generator's Danskin step on the optimal dual value (SPEC 4);
* :mod:`.neural_dual` — a neural discriminator, linearized at its weights each step and the
  step's kernel-form problem solved exactly (SPEC 7);
* :mod:`.baseline` and :mod:`.discriminators` — the standard GAN (SPEC 5) with gradient-trained
  discriminators: an MLP, or the dual method's own linear-in-features discriminator;
* :mod:`.schedule` — the learning-rate schedule they share.
"""
