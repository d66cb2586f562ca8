"""The `openai` provider against a real Chat Completions server on 127.0.0.1 (scripted, see fixtures)."""

from __future__ import annotations

import json
import logging

import pytest
from fixtures.chat_completions_server import ChatCompletionsServer

from app.events import TextDelta, ToolFinished, ToolStarted, TurnDone
from app.protocol import SEARCH_TOOL

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def server():
    with ChatCompletionsServer() as running:
        yield running


@pytest.fixture
def openai_desk(settings, kb, server):
    from app.agent.desk import SupportDesk
    from app.settings import load_settings

    configured = load_settings(
        data_dir=settings.data_dir,
        environment="test",
        chat_provider="openai",
        openai_base_url=server.base_url,
        openai_api_key=API_KEY,
        chat_model="scripted-test-model",
    )
    service = SupportDesk.from_settings(configured, kb=kb)
    yield service
    service.close()


async def test_tool_round_trip_over_http(openai_desk, server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    conversation = openai_desk.start_conversation("c-http")

    result = await openai_desk.reply(conversation, "How much is the Plus plan?")

    assert len(server.requests) == 2
    first, second = server.requests
    assert first["model"] == "scripted-test-model"
    tools = {tool["function"]["name"]: tool["function"]["parameters"] for tool in first["tools"]}
    assert SEARCH_TOOL in tools
    assert set(tools[SEARCH_TOOL]["properties"]) == {"query"}  # no ids, no context: runtime kwargs only
    assert all("ctx" not in schema.get("properties", {}) for schema in tools.values())
    assert first["messages"][0]["role"] == "system" and "help centre" in first["messages"][0]["content"]
    tool_messages = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_messages and "chunk_id: billing/plans" in json.dumps(tool_messages)
    assert server.headers[0]["authorization"] == f"Bearer {API_KEY}"
    assert [call.name for call in result.tool_calls] == [SEARCH_TOOL]
    assert result.citations and result.citations[0].doc_id == result.retrieved[0].doc_id
    assert openai_desk.history(conversation)[-1].citations[0]["number"] == 1
    assert API_KEY not in caplog.text


async def test_streaming_over_http(openai_desk, server) -> None:
    conversation = openai_desk.start_conversation("c-sse")

    events = [e async for e in openai_desk.stream_reply(conversation, "How do I reset my password?")]

    assert all(body.get("stream") is True for body in server.requests) and len(server.requests) == 2
    kinds = [type(event) for event in events]
    assert kinds[:2] == [ToolStarted, ToolFinished] and kinds[-1] is TurnDone
    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    assert len(deltas) > 3
    result = events[-1].result
    assert "".join(deltas).strip() == result.text and result.text.endswith("[1]")
    assert events[0].arguments == {"query": "How do I reset my password?"}


async def test_staff_reply_is_sent_to_the_model_on_the_next_turn(openai_desk, server) -> None:
    conversation = openai_desk.start_conversation("c-staff")
    await openai_desk.reply(conversation, "How much is the Plus plan?")
    ticket, _ = openai_desk.store.tickets.open(conversation, reason="customer asked", priority="normal")
    openai_desk.store.tickets.reply(ticket.id, "staff-ana", "I have applied a discount to your account.")
    openai_desk.store.tickets.resolve(ticket.id, "staff-ana")  # until then the agent keeps quiet

    await openai_desk.reply(conversation, "Thanks, and how do I reset my password?")

    sent = server.requests[2]["messages"]
    contents = [m.get("content") for m in sent]
    assert any("applied a discount" in str(c) for c in contents)
    assert [m["role"] for m in sent][:5] == ["system", "user", "assistant", "assistant", "user"]


async def test_unreachable_model_is_a_clear_error_and_keeps_the_message(settings, kb) -> None:
    import socket

    from app.agent.desk import SupportDesk
    from app.errors import ModelUnavailableError
    from app.settings import load_settings

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configured = load_settings(
        data_dir=settings.data_dir,
        environment="test",
        chat_provider="openai",
        chat_timeout_s=2,
        openai_base_url=f"http://127.0.0.1:{port}/v1",
        openai_api_key=API_KEY,
    )
    desk = SupportDesk.from_settings(configured, kb=kb)
    conversation = desk.start_conversation("c-down")

    with pytest.raises(ModelUnavailableError, match="try again"):
        await desk.reply(conversation, "How much is the Plus plan?")

    assert [m.role for m in desk.history(conversation)] == ["user"]
    desk.close()
