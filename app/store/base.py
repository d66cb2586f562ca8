"""What every repository shares: a database handle, lookups that raise NotFoundError, input checks."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.errors import InputError, NotFoundError
from app.store.db import Database
from app.store.models import Base

RowT = TypeVar("RowT", bound=Base)


class Repository:
    """One table's operations; each public method is one short transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db


def get_row(session: Session, model: type[RowT], row_id: Any, what: str) -> RowT:
    """The row with this primary key, or a NotFoundError that names what was looked for."""
    if isinstance(row_id, str) and not is_encodable(row_id):
        raise InputError(f"The {what} id contains broken Unicode (a lone surrogate).")
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise NotFoundError(f"No {what} with id {row_id!r}.")
    return row


def require_text(what: str, value: Any, *, max_chars: int, allow_empty: bool = False) -> str:
    """A string within the column's size; blank only where that makes sense (e.g. tool-only turns)."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {type(value).__name__}.")
    if "\x00" in value:  # PostgreSQL cannot store NUL in text, and it is never meaningful
        raise InputError(f"{what} must not contain NUL characters.")
    if not is_encodable(value):
        raise InputError(f"{what} contains broken Unicode (a lone surrogate); please retype it.")
    if not allow_empty and not value.strip():
        raise InputError(f"{what} must not be empty.")
    if len(value) > max_chars:
        raise InputError(f"{what} is too long ({len(value)} characters; at most {max_chars}).")
    return value


def is_encodable(value: str) -> bool:
    """False for text no database or JSON encoder can store: lone UTF-16 surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_json(what: str, value: Any) -> Any:
    """Reject values the JSON columns cannot store, before they reach the database."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be JSON-serialisable: {exc}") from None
    return value
