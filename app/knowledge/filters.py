"""Chroma-style `where` filters, evaluated in memory too.

Dense retrieval hands the dict to Chroma; BM25 runs over the in-memory catalogue and uses
`matches` with the same semantics, so a filter means the same thing in every mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import InputError

_COMPARE = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: a is not None and a > b,
    "$gte": lambda a, b: a is not None and a >= b,
    "$lt": lambda a, b: a is not None and a < b,
    "$lte": lambda a, b: a is not None and a <= b,
    "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b,
}


def validate(where: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Reject malformed filters with a clear message before they reach Chroma."""
    if not where:
        return None
    if not isinstance(where, Mapping):
        raise InputError("filters must be a dict such as {'category': 'billing'}")
    matches(where, {})
    return dict(where)


def combine(*wheres: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """AND together the non-empty filters (Chroma needs `$and` for more than one condition)."""
    parts: list[dict[str, Any]] = []
    for where in wheres:
        if not where:
            continue
        if len(where) > 1:
            parts.extend({key: value} for key, value in where.items())
        else:
            parts.append(dict(where))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def matches(where: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    """Whether a chunk's metadata satisfies a Chroma `where` filter."""
    try:
        return all(_clause(key, value, metadata) for key, value in where.items())
    except TypeError as exc:
        raise InputError(f"invalid filter {dict(where)!r}: {exc}") from None


def _clause(key: str, value: Any, metadata: Mapping[str, Any]) -> bool:
    if key == "$and":
        return all(matches(part, metadata) for part in _list(key, value))
    if key == "$or":
        return any(matches(part, metadata) for part in _list(key, value))
    if key.startswith("$"):
        raise InputError(f"unknown filter operator {key!r} (use $and, $or or a field name)")
    actual = metadata.get(key)
    if not isinstance(value, Mapping):
        return actual == value
    for op, expected in value.items():
        if op not in _COMPARE:
            raise InputError(f"unknown filter operator {op!r} on {key!r} (allowed: {', '.join(_COMPARE)})")
        if op in ("$in", "$nin") and not isinstance(expected, list | tuple):
            raise InputError(f"{op} on {key!r} needs a list")
        if not _COMPARE[op](actual, expected):
            return False
    return True


def _list(key: str, value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        raise InputError(f"{key} needs a list of filters")
    return list(value)
