"""The training loop (:mod:`.trainer`): seeds, minibatches, logs, snapshots, the weight average,
checkpoints and resume; it never names a method (:mod:`generator.methods`)."""
