"""Build a retrieval query from a dialogue.

The last user message alone often lacks its subject ("and how much is it?"); adding the few
turns before it restores that. The current turn comes first so an embedding model that
truncates long input still sees it.

BM25 reads the turns joined (`build_query`); the embedding model reads them one by one
(`query_parts`), and the dense ranker averages their vectors, the current message weighted
highest. One embedding of the joined text is dominated by its longest turn: a short "and the
reset?" after a long message about a speaker that lost its Wi-Fi found the Wi-Fi set-up articles,
not the reset one.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import InputError

STRATEGIES = ("last_turn", "recent_context")
WeightedTexts = tuple[tuple[float, str], ...]  # (weight, text), the current message first


def _recent(turns: Sequence[str], strategy: str, context_turns: int) -> tuple[str, list[str]]:
    """The current message and the earlier turns that extend it, newest first ("" when empty)."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown query strategy {strategy!r} (use one of: {', '.join(STRATEGIES)})")
    texts = [t.strip() for t in turns if t and t.strip()]
    if not texts:
        return "", []
    if strategy == "last_turn" or context_turns <= 0:
        return texts[-1], []
    return texts[-1], list(reversed(texts[-1 - context_turns : -1]))


def build_query(turns: Sequence[str], *, strategy: str = "recent_context", context_turns: int = 2) -> str:
    """turns: user-visible dialogue texts oldest first; the last one is the current user message."""
    current, earlier = _recent(turns, strategy, context_turns)
    return "\n".join([current, *earlier]) if current else ""


def query_parts(
    turns: Sequence[str],
    *,
    strategy: str = "recent_context",
    context_turns: int = 2,
    context_weight: float = 0.8,
) -> WeightedTexts:
    """The turns `build_query` joins, each with its weight for the query's embedding: the current
    message 1, every earlier turn `context_weight` (each earlier turn may be the one that names
    the subject, so they are not discounted by age); () when there is no message. With
    `context_weight` 0 only the message is returned, and the dense ranker embeds the joined text."""
    current, earlier = _recent(turns, strategy, context_turns)
    if not current:
        return ()
    return ((1.0, current), *((context_weight, text) for text in earlier if context_weight > 0))
