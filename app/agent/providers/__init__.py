"""Chat-model providers: the client `settings.chat_provider` names, and what a client may offer.

The names live in the registry (`app.registry`), below the settings that validate them; built-in
providers are registered the same way an extension would be, by name, and each builder is imported
only when chosen, so the offline default never imports an HTTP SDK and vice versa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from app.registry import get_builder

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings


@runtime_checkable
class Preparable(Protocol):
    """A chat client with work to do before its first turn (loading, warming caches).

    `SupportDesk` calls `prepare` for any provider that has it; it must return at once and may
    hand back something with `wait(timeout)` for callers that want to wait for the work."""

    def prepare(self, kb: KnowledgeBase) -> Any: ...


@runtime_checkable
class FiltersContext(Protocol):
    """A chat client that knows which of its own replies carry no subject (fixed declines and
    hand-overs) and drops them from the dialogue the search tool builds its query from."""

    def retrieval_context(self, dialogue: list[str]) -> list[str]: ...


def build_chat_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """The chat client `settings.chat_provider` names, built from `settings` only (keys included)."""
    return get_builder(settings.chat_provider)(settings, kb=kb)
