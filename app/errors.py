"""Errors meant for people, kept apart from internal failures.

A `SupportError` carries a message a user can act on; the CLI and the UI show it as is. Anything
else is a bug: it is logged with its traceback and the user sees a generic apology.
"""

from __future__ import annotations


class SupportError(Exception):
    """A failure whose message is safe and useful to show to a user."""


class ConfigError(SupportError):
    """A setting is missing or has a value outside what is allowed."""


class InputError(SupportError):
    """User input (a message, a file, an upload) was rejected; nothing was stored."""


class NotFoundError(SupportError):
    """A conversation, document, ticket or attachment does not exist."""


class ModelUnavailableError(SupportError):
    """An embedding or chat model cannot be loaded or reached."""


class StoreUnavailableError(SupportError):
    """The database or the vector store cannot be reached."""
