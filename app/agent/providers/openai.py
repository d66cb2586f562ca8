"""Any server that speaks OpenAI Chat Completions: OpenAI, Hugging Face inference providers, vLLM,
llama.cpp's server, Ollama's `/v1` endpoint.

The `AsyncOpenAI` client is built here from settings, so nothing is read from the environment
behind the settings' back and the timeout applies. The key is never logged; the base URL is
logged with any password masked.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError
from app.settings import mask_url

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings

logger = logging.getLogger(__name__)

_LOCAL_PLACEHOLDER_KEY = "not-needed"  # local servers (vLLM, llama.cpp, Ollama) ignore the key


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """An `OpenAIChatCompletionClient` for `settings.openai_base_url` (default: api.openai.com)."""
    from agent_framework.openai import OpenAIChatCompletionClient
    from openai import AsyncOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.openai_base_url:
        raise ConfigError(
            "The openai chat provider needs an API key: set OPENAI_API_KEY (or SUPPORT_OPENAI_API_KEY), "
            "or point SUPPORT_OPENAI_BASE_URL at a local OpenAI-compatible server."
        )
    client = AsyncOpenAI(
        api_key=key or _LOCAL_PLACEHOLDER_KEY,
        base_url=settings.openai_base_url,
        timeout=settings.chat_timeout_s,
        max_retries=2,
    )
    logger.info(
        "chat client ready",
        extra={
            "provider": "openai",
            "model": settings.chat_model,
            "base_url": mask_url(settings.openai_base_url or "https://api.openai.com/v1"),
        },
    )
    return OpenAIChatCompletionClient(model=settings.chat_model, async_client=client)
