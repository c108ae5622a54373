"""Torch generators trained against the exact dual value of the discriminator (SPEC 4, 5)."""
