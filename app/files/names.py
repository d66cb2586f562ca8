"""File names from untrusted clients: refused when hostile, and read for the type they claim."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

from app.errors import InputError

MAX_FILENAME_CHARS = 200
_ALLOWED_CONTROLS = frozenset("\n\r\t")
_ALIASES = {"htm": "html", "markdown": "md", "text": "txt"}


def check_filename(filename: str) -> str:
    """The name as given when it is a plain file name; InputError for paths and control characters.

    A name is only ever shown and stored as a label (bytes are kept by hash), but a name such as
    `../../etc/passwd` or one with a newline or an ANSI escape is a sign of a hostile client and
    would confuse logs and people, so it is refused with a reason rather than silently rewritten.
    """
    name = (filename or "").strip()
    if not name:
        raise InputError("The file has no name.")
    if any(is_control(char, allowed=frozenset()) for char in name):
        raise InputError("The file name contains control characters; please rename the file.")
    if "/" in name or "\\" in name or name in (".", ".."):
        shown = name[-60:]
        raise InputError(f"The file name {shown!r} contains a folder path; send the file under a plain name.")
    if len(name) > MAX_FILENAME_CHARS:
        raise InputError(f"The file name is {len(name)} characters long; the limit is {MAX_FILENAME_CHARS}.")
    return name


def declared_kind(filename: str) -> str:
    """The type a file name claims, normalised (`.HTM` → `html`); the content must still prove it."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return _ALIASES.get(suffix, suffix)


def is_control(char: str, allowed: frozenset[str] = _ALLOWED_CONTROLS) -> bool:
    """C0/C1 control characters (NUL, escape, newline, ...) other than those `allowed`."""
    return char not in allowed and unicodedata.category(char) == "Cc"
