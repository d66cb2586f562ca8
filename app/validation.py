"""Checks on the text of a message before it is stored: no control bytes, no broken Unicode.

Files have their own checks in `app.files`; this module is about what a person types.
"""

from __future__ import annotations

from app.errors import InputError
from app.files.names import is_control
from app.store.base import is_encodable  # the store refuses the same text; one definition

__all__ = ["check_message_text", "is_encodable"]


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
