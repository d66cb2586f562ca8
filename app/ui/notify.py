"""Show a failure to the person in the browser without losing what they typed.

A `SupportError` carries a message meant for users and is shown as is; anything else is a bug,
logged with its traceback, and the user sees a short apology instead of internals.
"""

from __future__ import annotations

import logging

import gradio as gr

from app.errors import SupportError

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. Your text was kept; please try again."


def warn(exc: BaseException, *, action: str) -> str:
    """Pop up a warning for `exc` and return the message shown."""
    if isinstance(exc, SupportError):
        message = str(exc)
        logger.info("user-facing error", extra={"action": action, "error": message})
    else:
        message = APOLOGY
        logger.error("ui action failed", extra={"action": action}, exc_info=exc)
    gr.Warning(message)
    return message
