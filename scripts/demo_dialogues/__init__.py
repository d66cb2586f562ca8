"""Dialogue definitions for the Kestrel demo help centre, grouped by category (the id prefix)."""

from __future__ import annotations

from typing import Any

from . import escalation, faq, journeys, memory, multi_turn, special


def categories() -> dict[str, list[dict[str, Any]]]:
    """Every category name mapped to its dialogues, in a fixed order."""
    return {
        "faq": faq.build(),
        **multi_turn.build(),
        **memory.build(),
        **escalation.build(),
        **special.build(),
        **journeys.build(),
    }
