"""Names of a package imported on first use (PEP 562), so that importing a light submodule of a
package does not import its heavy ones (torch, the solvers).

Usage, at the end of a package's ``__init__.py``::

    __getattr__, __dir__, __all__ = lazy_exports(__name__, {"Name": "submodule", ...})
"""

import importlib
import sys


def lazy_exports(package, exports):
    """The ``__getattr__``, ``__dir__`` and ``__all__`` of ``package`` for ``exports``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Exported name → the submodule (relative to ``package``, without the leading dot) that
        defines it. A name is imported from its submodule on first access and kept in the
        package's namespace after.

    Returns
    -------
    __getattr__, __dir__ : callables
        For the package's module namespace.
    __all__ : list of str
        The exported names, sorted.
    """
    exports = dict(exports)
    names = sorted(exports)

    def __getattr__(name):
        if name in exports:
            value = getattr(importlib.import_module(f".{exports[name]}", package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__, names
