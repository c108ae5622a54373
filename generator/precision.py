"""The default floating-point type of :mod:`generator`.

float64: the discriminator problem is solved and certified in float64 (:mod:`dual`), and its
dual value is differentiated in torch at the same precision, so that the generator's gradient
carries the solve's accuracy. Every constructor takes a ``dtype`` argument defaulting to this.
"""

import torch

DTYPE = torch.float64
