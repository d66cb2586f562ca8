"""Build a retrieval query from a dialogue.

The last user message alone often lacks its subject ("and how much is it?"); adding the few
turns before it restores that. The current turn comes first so an embedding model that
truncates long input still sees it.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import InputError

STRATEGIES = ("last_turn", "recent_context")


def build_query(turns: Sequence[str], *, strategy: str = "recent_context", context_turns: int = 2) -> str:
    """turns: user-visible dialogue texts oldest first; the last one is the current user message."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown query strategy {strategy!r} (use one of: {', '.join(STRATEGIES)})")
    texts = [t.strip() for t in turns if t and t.strip()]
    if not texts:
        return ""
    if strategy == "last_turn" or context_turns <= 0:
        return texts[-1]
    recent = texts[-1 - context_turns : -1]
    return "\n".join([texts[-1], *reversed(recent)])
