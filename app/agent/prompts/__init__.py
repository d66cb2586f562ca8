"""The agent's instructions, kept as package data so they can be read, diffed and reviewed as text."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_prompt(name: str = "support") -> str:
    """The text of `prompts/<name>.md`, without surrounding whitespace."""
    return files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8").strip()
