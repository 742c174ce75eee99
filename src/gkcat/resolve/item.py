"""The values of a resolved item, typed: what renderers read, and a dictionary key (frozen, hashable).

One attribute per field of the registry (model/fields.py), built from it: lists as tuples, extra
fields as (key, value) pairs sorted by key, so that equal values are equal whatever order a file wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from gkcat.model.fields import FIELDS, LIST_FIELDS, FieldSpec, extra_key, registry_class


@dataclass(frozen=True, slots=True)
class _Declared:
    """ItemValues as mypy reads it. At run time its attributes are the registry's (below), its methods these:
    a field added to the registry is an attribute without being declared here, read by `get(name)`;
    tests/test_fields.py checks that what is declared here agrees with the registry."""

    level1: str
    level2: str
    content: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    deadline: str | None = None
    subject: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    audience: str | None = None
    method: str | None = None
    levels: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, values: dict[str, Any]) -> _Declared:
        """From plain values as a file gives them (lists, an extra mapping)."""
        return cls(**_fields(values), extra=_pairs(values.get("extra") or {}))

    def patched(self, changes: dict[str, Any]) -> _Declared:
        """These values with an override's fields replaced; extra keys are merged, not replaced."""
        given = _fields(changes)
        if "extra" in changes:
            given["extra"] = _pairs({**self.extras, **(changes["extra"] or {})})
        return replace(self, **given)

    @property
    def extras(self) -> dict[str, str]:
        return dict(self.extra)

    def extra_value(self, key: str) -> str | None:
        return next((v for k, v in self.extra if k == key), None)

    def get(self, name: str) -> Any:
        """A field by name: a registry id (extra as a mapping), or "extra.<key>" for one extra field (None when unset)."""
        key = extra_key(name)
        if key is not None:
            return self.extra_value(key)
        return self.extras if name == "extra" else getattr(self, name)

    def items(self) -> list[tuple[str, Any]]:
        """(field, value) in registry order, the extra field as a mapping."""
        return [(f.name, self.get(f.name)) for f in fields(self)]


def _attribute(spec: FieldSpec) -> tuple[str, Any, Any]:
    """A registry field as an attribute: required ones have no default, lists and the extra pairs default to ()."""
    if spec.required:
        return spec.id, Any, field()
    return spec.id, Any, field(default=() if spec.many or spec.kind == "extra" else None)


if TYPE_CHECKING:
    ItemValues = _Declared
else:
    ItemValues = registry_class("ItemValues", _Declared, [_attribute(f) for f in FIELDS], frozen=True, slots=True)


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values as a file gives them, lists as tuples; the extra mapping is left to the caller."""
    return {k: tuple(v) if k in LIST_FIELDS else v for k, v in values.items() if k != "extra"}


def _pairs(extra: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(extra.items()))
