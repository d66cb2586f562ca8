"""Ollama's native API, through the optional `agent-framework-ollama` package.

Without that package, Ollama still works through its OpenAI-compatible endpoint: choose the
`openai` provider with `SUPPORT_OPENAI_BASE_URL=http://127.0.0.1:11434/v1`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """An `OllamaChatClient` for `settings.ollama_host`, or a ConfigError that says how to get one."""
    try:
        module = importlib.import_module("agent_framework_ollama")
    except ModuleNotFoundError:
        raise ConfigError(
            "The ollama chat provider needs the optional package: pip install 'support-agent[ollama]'. "
            "Or use SUPPORT_CHAT_PROVIDER=openai with "
            f"SUPPORT_OPENAI_BASE_URL={settings.ollama_host.rstrip('/')}/v1 (Ollama's OpenAI-compatible API)."
        ) from None
    return module.OllamaChatClient(host=settings.ollama_host, model=settings.chat_model)
