"""Azure OpenAI deployments, through the same Chat Completions client as the `openai` provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.agent.providers.openai import completions_client
from app.errors import ConfigError

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """An `OpenAIChatCompletionClient` bound to an `AsyncAzureOpenAI` client built from settings."""
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
    deployment, endpoint = settings.azure_openai_deployment, settings.azure_openai_endpoint
    return completions_client(
        settings,
        AsyncAzureOpenAI,
        model=deployment,
        shown={"provider": "azure", "deployment": deployment, "endpoint": endpoint},
        azure_endpoint=endpoint,
        api_key=settings.azure_openai_api_key.get_secret_value(),
        api_version=settings.azure_openai_api_version,
        azure_deployment=deployment,
    )
