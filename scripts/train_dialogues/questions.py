"""Single questions about each topic of the help centre (first writer)."""

from __future__ import annotations

from demo_dialogues.turns import dialogue, hello, kb, thanks  # noqa: F401
from written_apart import Dialogue


def faq_account() -> list[Dialogue]:
    """Questions about the account pages."""
    return []


def faq_billing() -> list[Dialogue]:
    """Questions about billing, prices and Kestrel Club."""
    return []


def faq_orders() -> list[Dialogue]:
    """Questions about orders and delivery."""
    return []


def faq_returns() -> list[Dialogue]:
    """Questions about returns, refunds and warranty."""
    return []


def faq_security() -> list[Dialogue]:
    """Questions about security and privacy."""
    return []


def faq_contact() -> list[Dialogue]:
    """Questions about contacting Kestrel."""
    return []


def faq_troubleshooting() -> list[Dialogue]:
    """Questions about setting up and fixing devices."""
    return []
