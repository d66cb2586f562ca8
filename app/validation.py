"""Checks on the text of a message before it is stored: no control bytes, no broken Unicode; and
how a text longer than the message limit is sent as several messages.

Files have their own checks in `app.files`; this module is about what a person types.
"""

from __future__ import annotations

from app.errors import InputError
from app.files.names import is_control
from app.store.base import is_encodable  # the store refuses the same text; one definition

__all__ = ["check_message_text", "is_encodable", "split_messages"]


def check_message_text(text: str) -> str:
    """Refuse text that cannot be stored or shown faithfully: NUL and other control bytes, lone surrogates.

    The length limit is checked by the caller (it depends on the settings); this is about content.
    """
    if any(is_control(char) for char in text):
        raise InputError(
            "The message contains control characters or binary data; please send plain text "
            "(attach files with the paperclip instead of pasting them)."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("The message contains broken Unicode characters; please retype it.") from None
    return text


def split_messages(text: str, limit: int) -> list[str]:
    """`text` as consecutive messages of at most `limit` characters, each ending after the last whole
    sentence that fits (a hard cut where none does); joined again they hold the whole text. The τ³
    evaluation sends a long brief so, as a customer facing the chat's message limit would."""
    messages = []
    while len(text) > limit:
        head = fit_sentences(text, limit)
        messages.append(head)
        text = text[len(head) :].strip()
    return [*messages, text] if text else messages


def fit_sentences(text: str, limit: int) -> str:
    """The longest run of leading whole sentences within `limit` characters (whole words if no
    sentence fits, a hard cut if no word does)."""
    cut = max(text.rfind(end, 0, limit) for end in (". ", "! ", "? "))
    if cut > 0:
        return text[: cut + 1]
    space = text.rfind(" ", 0, limit + 1)
    return text[:space] if space > 0 else text[:limit]
