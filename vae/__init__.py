"""Variational autoencoders: ELBO, closed-form KL, reparameterization, decoders (SPEC 6)."""
