"""The default floating-point type of :mod:`generator`.

float64: the discriminator problem is solved and certified in float64 (:mod:`dual`), and its
dual value is differentiated in torch at the same precision, so that the generator's gradient
carries the solve's accuracy. Every constructor takes a ``dtype`` argument defaulting to this.
"""

import torch

DTYPE = torch.float64


def check_device(device):
    """``device`` as a ``torch.device`` that exists here: the networks of a run and the tangent
    kernel are placed on it (every solve stays float64 on the host).

    Raises
    ------
    ValueError
        Not a device name torch knows (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``), or a
        device this machine does not have (the message names it).
    """
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda:0', got "
                         f"{device!r} ({err})") from None
    if dev.type == "cuda":
        available = torch.cuda.device_count()
        if dev.index is not None and dev.index >= available or available == 0:
            raise ValueError(f"device {device!r} is not available here ({available} CUDA "
                             f"device(s) visible to torch)")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {device!r} is not available here (torch sees no MPS device)")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be 'cpu', 'cuda[:k]' or 'mps', got {device!r}")
    return dev
