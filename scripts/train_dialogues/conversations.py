"""Conversations of several turns: follow-ups, memory, hand-overs, small talk (second writer)."""

from __future__ import annotations

from demo_dialogues.turns import dialogue, handoff, hello, kb, recall, say, thanks, unanswerable  # noqa: F401
from written_apart import Dialogue


def followups() -> list[Dialogue]:
    """Follow-up questions that only make sense with the turns before them."""
    return []


def memory() -> list[Dialogue]:
    """A fact about the customer to remember, which later picks the right article."""
    return []


def unanswerables() -> list[Dialogue]:
    """Fair questions the help centre does not answer."""
    return []


def escalations() -> list[Dialogue]:
    """The customer asks for a person, or for something only a person may do."""
    return []


def urgent() -> list[Dialogue]:
    """Safety problems and account takeover: search, then hand over."""
    return []


def frustrated() -> list[Dialogue]:
    """Implicit escalation: repeated failure or frustration without asking for a person."""
    return []


def chitchat() -> list[Dialogue]:
    """Greetings, thanks and small talk around questions."""
    return []
