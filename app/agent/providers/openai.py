"""Any server that speaks OpenAI Chat Completions: OpenAI, Hugging Face inference providers, vLLM,
llama.cpp's server, Ollama's `/v1` endpoint.

The `AsyncOpenAI` client is built here from settings, so nothing is read from the environment
behind the settings' back and the timeout applies. The key is never logged; the base URL is
logged with any password masked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError
from app.settings import mask_url

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings

logger = logging.getLogger(__name__)

_LOCAL_PLACEHOLDER_KEY = "not-needed"  # local servers (vLLM, llama.cpp, Ollama) ignore the key
MAX_RETRIES = 2


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """An `OpenAIChatCompletionClient` for `settings.openai_base_url` (default: api.openai.com)."""
    from openai import AsyncOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.openai_base_url:
        raise ConfigError(
            "The openai chat provider needs an API key: set OPENAI_API_KEY (or SUPPORT_OPENAI_API_KEY), "
            "or point SUPPORT_OPENAI_BASE_URL at a local OpenAI-compatible server."
        )
    base_url = mask_url(settings.openai_base_url or "https://api.openai.com/v1")
    return completions_client(
        settings,
        AsyncOpenAI,
        model=settings.chat_model,
        shown={"provider": "openai", "model": settings.chat_model, "base_url": base_url},
        api_key=key or _LOCAL_PLACEHOLDER_KEY,
        base_url=settings.openai_base_url,
    )


def completions_client(
    settings: Settings, sdk_client: Callable[..., Any], *, model: str, shown: dict[str, Any], **options: Any
) -> SupportsChatGetResponse[Any]:
    """Agent Framework's Chat Completions client over `sdk_client(**options)` (an `AsyncOpenAI` or
    `AsyncAzureOpenAI`), with the settings' timeout; `shown` is what the log may say about it."""
    from agent_framework.openai import OpenAIChatCompletionClient

    client = sdk_client(timeout=settings.chat_timeout_s, max_retries=MAX_RETRIES, **options)
    logger.info("chat client ready", extra=shown)
    return OpenAIChatCompletionClient(model=model, async_client=client)
