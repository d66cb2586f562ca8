"""Provider registry, prompts, middleware helpers and tools outside a turn: small, real, no network."""

from __future__ import annotations

import logging

import pytest
from agent_framework import FunctionInvocationContext

from app.agent.middleware import shorten
from app.agent.prompts import load_prompt
from app.agent.providers import build_chat_client
from app.agent.providers.offline.replies import ticket_status
from app.errors import ConfigError, SupportError
from app.protocol import NO_TICKET
from app.registry import get_builder, provider_names, register_provider
from app.settings import load_settings
from app.tools.escalation import Escalation
from app.tools.runtime import TurnState

pytestmark = pytest.mark.anyio


def test_builtin_providers_are_registered() -> None:
    assert {"offline", "openai", "azure", "ollama"} <= set(provider_names())


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SUPPORT_CHAT_PROVIDER"):
        get_builder("nonsense")


def test_registered_provider_is_used() -> None:
    sentinel = object()
    register_provider("test-sentinel", lambda settings, *, kb=None: sentinel)
    assert get_builder("test-sentinel")(None) is sentinel


def test_settings_accept_a_plugin_provider_and_reject_unknown_names(tmp_path) -> None:
    """SUPPORT_CHAT_PROVIDER is checked against the registry, not a fixed list."""
    sentinel = object()
    register_provider("test-plugin", lambda settings, *, kb=None: sentinel)
    settings = load_settings(data_dir=tmp_path, chat_provider="test-plugin")
    assert build_chat_client(settings) is sentinel
    with pytest.raises(ConfigError, match="SUPPORT_CHAT_PROVIDER"):
        load_settings(data_dir=tmp_path, chat_provider="not-registered")


@pytest.mark.parametrize("module", ["app/agent/desk.py", "app/knowledge/base.py", "app/tools/search.py"])
def test_the_desk_knowledge_base_and_search_tool_know_no_provider(module: str) -> None:
    """They use the provider-agnostic hooks (`Preparable`, `FiltersContext`), not the offline model."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / module).read_text(encoding="utf-8")
    assert "providers.offline" not in source and "OfflineRawClient" not in source


def test_ollama_without_the_extra_explains_both_ways_out(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, chat_provider="ollama", ollama_host="http://127.0.0.1:11434")
    with pytest.raises(ConfigError) as failure:
        build_chat_client(settings)
    assert "pip install 'support-agent[ollama]'" in str(failure.value)
    assert "SUPPORT_OPENAI_BASE_URL=http://127.0.0.1:11434/v1" in str(failure.value)


def test_openai_needs_a_key_or_a_local_server(tmp_path) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        build_chat_client(load_settings(data_dir=tmp_path, chat_provider="openai"))


def test_azure_names_what_is_missing(tmp_path) -> None:
    settings = load_settings(
        data_dir=tmp_path, chat_provider="azure", azure_openai_endpoint="https://x.example"
    )
    with pytest.raises(ConfigError, match="AZURE_OPENAI_API_KEY, AZURE_OPENAI_CHAT_DEPLOYMENT_NAME"):
        build_chat_client(settings)


def test_azure_client_is_built_without_logging_the_key(tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    settings = load_settings(
        data_dir=tmp_path,
        chat_provider="azure",
        azure_openai_endpoint="https://unit.openai.azure.com",
        azure_openai_api_key="azure-secret-key-123456",
        azure_openai_deployment="gpt-4o-mini",
    )
    client = build_chat_client(settings)
    assert client.model == "gpt-4o-mini"
    assert "azure-secret-key-123456" not in caplog.text


def test_instructions_are_package_data() -> None:
    prompt = load_prompt("support")
    assert "search_knowledge_base" in prompt and "[1]" in prompt


def test_logged_arguments_are_clipped_and_redacted() -> None:
    shown = shorten({"query": "x" * 500, "note": "my api_key=abcdef123456", "n": 3})
    assert len(shown["query"]) < 120 and shown["query"].endswith("(500 chars)")
    assert "abcdef123456" not in shown["note"]
    assert shown["n"] == "3"


async def test_tools_refuse_to_run_outside_a_turn(settings) -> None:
    from app.store import Store

    store = Store.from_settings(settings)
    with pytest.raises(SupportError):
        await Escalation(store).get_ticket_status.invoke(arguments={})
    store.close()


async def test_a_conversation_without_a_ticket_is_told_so_in_the_models_own_words(settings) -> None:
    from app.store import Store

    store = Store.from_settings(settings)
    customer = store.customers.get_or_create("c-status")
    turn = TurnState(customer_id=customer.id, conversation_id=store.conversations.create(customer.id).id)
    status = Escalation(store).get_ticket_status
    asked = FunctionInvocationContext(function=status, arguments={}, kwargs=turn.as_kwargs())
    result = await status.invoke(arguments={}, context=asked)
    assert result[0].text == NO_TICKET
    # not relayed as "Here is the latest on your ticket: This conversation has no support ticket."
    reply = ticket_status(result[0].text)
    assert "latest" not in reply and "no support ticket for this conversation" in reply
    assert reply != ticket_status(None)  # a failed lookup cannot say there is none
    store.close()


async def test_escalation_tool_is_idempotent_per_conversation(settings) -> None:
    from app.store import Store

    store = Store.from_settings(settings)
    customer = store.customers.get_or_create("c-tool")
    conversation = store.conversations.create(customer.id).id
    store.messages.add(conversation, "user", "My parcel never arrived and nobody answers.")
    escalate = Escalation(store).escalate_to_human
    turn = TurnState(customer_id=customer.id, conversation_id=conversation)

    def context() -> FunctionInvocationContext:
        return FunctionInvocationContext(function=escalate, arguments={}, kwargs=turn.as_kwargs())

    first = await escalate.invoke(arguments={"reason": "Parcel lost", "priority": "high"}, context=context())
    again = {"reason": "Still lost", "priority": "urgent"}
    second = await escalate.invoke(arguments=again, context=context())

    tickets = store.tickets.list()
    assert len(tickets) == 1 and tickets[0].priority == "high"
    assert tickets[0].number in first[0].text and "opened" in first[0].text
    assert "already has ticket" in second[0].text
    assert "never arrived" in tickets[0].summary
    store.close()
