"""Azure OpenAI deployments, through the same Chat Completions client as the `openai` provider."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings

logger = logging.getLogger(__name__)


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """An `OpenAIChatCompletionClient` bound to an `AsyncAzureOpenAI` client built from settings."""
    from agent_framework.openai import OpenAIChatCompletionClient
    from openai import AsyncAzureOpenAI

    missing = [
        variable
        for variable, value in (
            ("AZURE_OPENAI_ENDPOINT", settings.azure_openai_endpoint),
            ("AZURE_OPENAI_API_KEY", settings.azure_openai_api_key),
            ("AZURE_OPENAI_CHAT_DEPLOYMENT_NAME", settings.azure_openai_deployment),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"The azure chat provider needs {', '.join(missing)} (or their SUPPORT_ forms).")
    assert settings.azure_openai_api_key is not None  # checked above; narrows the type
    client = AsyncAzureOpenAI(
        azure_endpoint=settings.azure_openai_endpoint,
        api_key=settings.azure_openai_api_key.get_secret_value(),
        api_version=settings.azure_openai_api_version,
        azure_deployment=settings.azure_openai_deployment,
        timeout=settings.chat_timeout_s,
        max_retries=2,
    )
    logger.info(
        "chat client ready",
        extra={
            "provider": "azure",
            "deployment": settings.azure_openai_deployment,
            "endpoint": settings.azure_openai_endpoint,
        },
    )
    return OpenAIChatCompletionClient(model=settings.azure_openai_deployment, async_client=client)
