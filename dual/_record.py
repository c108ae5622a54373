"""Plain-data round trips for the result dataclasses of :mod:`dual` (solutions, certificates).

Serialization walks ``dataclasses.fields``, so a field added later travels with the others
instead of being lost by a hand-written list. Array fields (annotated ``np.ndarray``) become
float64 numpy arrays; nested records become dicts; every other field is kept as it is.
"""

import dataclasses
import typing
from collections.abc import Mapping

import numpy as np


class Record:
    """Mixin for frozen dataclasses: ``to_dict``, ``from_dict`` and field-wise equality."""

    def to_dict(self):
        """Every field by name: arrays as float64 numpy copies, nested records as dicts.

        Returns
        -------
        dict
            Accepted back by :meth:`from_dict`; plain Python and numpy values only.
        """
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.type is np.ndarray:
                value = np.array(value, dtype=np.float64)
            elif isinstance(value, Record):
                value = value.to_dict()
            out[field.name] = value
        return out

    @classmethod
    def from_dict(cls, data):
        """Rebuild an instance from :meth:`to_dict`'s output.

        Array fields accept any array-like (numpy arrays, nested lists, CPU torch tensors);
        nested records accept a dict or an instance.

        Raises
        ------
        TypeError
            ``data`` is not a mapping.
        ValueError
            A required field is missing or an unknown key is present (both are named).
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__}.from_dict needs a mapping, got "
                            f"{type(data).__name__}")
        fields = {field.name: field for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        missing = sorted(name for name, field in fields.items() if name not in data
                         and field.default is dataclasses.MISSING)
        if unknown or missing:
            raise ValueError(f"{cls.__name__}.from_dict: missing fields {missing}, unknown "
                             f"fields {unknown}; expected {sorted(fields)}")
        values = {}
        for name, value in data.items():
            kind = _unwrap_optional(fields[name].type)
            if kind is np.ndarray:  # a copy, owned by the record (asarray reads CPU tensors)
                value = np.asarray(value, dtype=np.float64).copy()
            elif isinstance(kind, type) and issubclass(kind, Record) and isinstance(value,
                                                                                   Mapping):
                value = kind.from_dict(value)
            elif kind is float:
                value = float(value)
            values[name] = value
        return cls(**values)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        for field in dataclasses.fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if field.type is np.ndarray:
                if not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    __hash__ = None  # arrays inside: equal records need not hash alike


def _unwrap_optional(kind):
    """``X`` for ``Optional[X]``, ``kind`` itself otherwise."""
    args = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    if typing.get_origin(kind) is typing.Union and len(args) == 1:
        return args[0]
    return kind
