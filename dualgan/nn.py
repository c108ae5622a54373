"""The multilayer-perceptron builder every package uses."""

from torch import nn

from .validation import check_positive_int


def mlp(widths, activation=nn.ReLU, out_activation=None, dtype=None, norm=None):
    """Linear layers of the given widths with ``activation()`` between them.

    Parameters
    ----------
    widths : sequence of int
        Input width, hidden widths, output width, e.g. ``(784, 400, 20)``: at least two.
    activation : callable returning an ``nn.Module``
        Built anew between every two linear layers (``nn.ReLU``, ``lambda: nn.LeakyReLU(0.2)``).
    out_activation : callable returning an ``nn.Module``, optional
        Appended after the last linear layer (default: none, a linear output).
    dtype : torch.dtype, optional
        Of the weights (default: torch's default dtype).
    norm : callable taking a width and returning an ``nn.Module``, optional
        Built after every hidden linear layer, before its activation
        (e.g. ``lambda w: nn.BatchNorm1d(w)``); default: none.

    Returns
    -------
    torch.nn.Sequential
    """
    widths = [check_positive_int(w, "each layer width") for w in widths]
    if len(widths) < 2:
        raise ValueError(f"widths must list an input and an output width at least, got {widths}")
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        if i > 0:
            if norm is not None:
                layers.append(norm(fan_in))
            layers.append(activation())
        layers.append(nn.Linear(fan_in, fan_out, dtype=dtype))
    if out_activation is not None:
        layers.append(out_activation())
    return nn.Sequential(*layers)
