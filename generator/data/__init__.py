"""What a GAN learns to sample: 2-D Gaussian mixtures and image data sets (:mod:`.targets`)."""
