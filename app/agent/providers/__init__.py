"""Chat-model providers: a registry from `settings.chat_provider` to a function that builds the client.

Built-in providers are registered the same way an extension would be, by name; each builder is
imported only when chosen, so the offline default never imports an HTTP SDK and vice versa.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings

ChatClientBuilder = Callable[..., "SupportsChatGetResponse[Any]"]
"""`builder(settings, *, kb) -> chat client`; `kb` lets the offline model share the embedder."""

_BUILTIN: dict[str, str] = {
    "offline": "app.agent.providers:build_offline_client",
    "openai": "app.agent.providers.openai:build_client",
    "azure": "app.agent.providers.azure:build_client",
    "ollama": "app.agent.providers.ollama:build_client",
}
_registered: dict[str, ChatClientBuilder] = {}


def register_provider(name: str, builder: ChatClientBuilder) -> None:
    """Make a provider selectable as `SUPPORT_CHAT_PROVIDER=<name>` (tests and plug-ins use this)."""
    _registered[name] = builder


def provider_names() -> list[str]:
    return sorted({*_BUILTIN, *_registered})


def get_builder(name: str) -> ChatClientBuilder:
    """The builder registered under `name`; unknown names are a configuration error."""
    if name in _registered:
        return _registered[name]
    if name not in _BUILTIN:
        raise ConfigError(
            f"Unknown chat provider {name!r} [SUPPORT_CHAT_PROVIDER]; "
            f"choose one of {', '.join(provider_names())}."
        )
    module_name, _, attribute = _BUILTIN[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def build_chat_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """The chat client `settings.chat_provider` names, built from `settings` only (keys included)."""
    return get_builder(settings.chat_provider)(settings, kb=kb)


def build_offline_client(
    settings: Settings, *, kb: KnowledgeBase | None = None
) -> SupportsChatGetResponse[Any]:
    """The deterministic offline model; it shares the knowledge base's embedder (loaded once) and its
    in-memory vector cache, so sentences of passages seen before and the question the search just
    embedded cost no forward pass."""
    from app.agent.providers.offline import OfflineChatClient

    if kb is None:
        raise ConfigError("The offline chat provider needs the knowledge base (for its embedder).")
    return OfflineChatClient(
        embedder=kb.cached_embedder, confidence=settings.offline_confidence, chunks=kb.get_chunk
    )
