"""Reading the JSON files public datasets ship: one list per file (DSTC11 logs and labels, τ³ tasks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import InputError


def read_json_list(path: Path, what: str = "") -> list[Any]:
    """The JSON list in `path`; InputError naming the file (and `what` it should hold) otherwise."""
    about = f" {what}" if what else ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read{about} ({exc})") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list{' of ' + what if what else ''}")
    return data
