"""Chat-provider names → the functions that build their clients, resolved by import path on first use.

The settings validate `chat_provider` against these names, and `app.agent.providers` builds the
client the name points to. The registry sits below both and imports neither: a built-in provider
is a string (`module:function`), imported only when chosen, so the offline default never imports
an HTTP SDK and vice versa; a plug-in (or a test) registers a function under a new name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from app.errors import ConfigError

ChatClientBuilder = Callable[..., Any]
"""`builder(settings, *, kb) -> chat client`; `kb` lets the offline model share the embedder."""

_BUILTIN: dict[str, str] = {
    "offline": "app.agent.providers.offline.provider:build_client",
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
