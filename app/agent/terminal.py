"""`python -m app chat`: talk to the support agent in a terminal, or pipe lines through it.

Answers stream as they are produced; tool calls show as short status lines and sources are listed
after each answer. `/new` starts a new conversation, `/quit` (or end of input) leaves. On a fresh
checkout the demo knowledge base is ingested on first use.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from app.errors import SupportError
from app.events import TextDelta, ToolFinished, ToolStarted, TurnDone, TurnResult

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk
    from app.settings import Settings

TERMINAL_CUSTOMER = "terminal-user"
HELP = "Type your question. /new starts a new conversation, /quit leaves."
_TOOL_STATUS = {
    "search_knowledge_base": "searching the help centre",
    "remember_customer_fact": "noting that",
    "recall_customer_facts": "checking what I know about you",
    "read_attachment": "reading your file",
    "escalate_to_human": "handing over to a colleague",
    "get_ticket_status": "checking your ticket",
}


def run_chat(settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Run the chat until `/quit` or end of input; returns the process exit code."""
    desk = _open_desk(settings, stdout)
    try:
        return asyncio.run(_chat_loop(desk, stdin, stdout))
    finally:
        desk.close()


def _open_desk(settings: Settings, stdout: TextIO) -> SupportDesk:
    """The desk, with the demo knowledge base ingested first if the collection is empty."""
    from app.agent.desk import SupportDesk
    from app.knowledge.base import KnowledgeBase
    from app.knowledge.bootstrap import ensure_knowledge

    kb = KnowledgeBase.from_settings(settings)
    if kb.is_empty():
        _say(stdout, f"Preparing the knowledge base from {settings.knowledge_dir} (first run only)...")
        summary = ensure_knowledge(kb, settings)
        if summary is not None:
            _say(stdout, f"Ingested {summary.added} documents ({summary.chunks} chunks).")
    return SupportDesk.from_settings(settings, kb=kb)


async def _chat_loop(desk: SupportDesk, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty()
    conversation = desk.start_conversation(TERMINAL_CUSTOMER)
    _say(stdout, HELP)
    while True:
        if interactive:
            stdout.write("you> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return 0
        if text == "/new":
            conversation = desk.start_conversation(TERMINAL_CUSTOMER)
            _say(stdout, "(new conversation)")
            continue
        if not interactive:
            _say(stdout, f"you> {text}")
        await _one_turn(desk, conversation, text, stdout)


async def _one_turn(desk: SupportDesk, conversation: str, text: str, stdout: TextIO) -> None:
    """Stream one answer; a user-facing error is shown and the chat goes on."""
    stdout.write("agent> ")
    stdout.flush()
    try:
        async for event in desk.stream_reply(conversation, text):
            _render(event, stdout)
    except SupportError as exc:
        _say(stdout, f"\n! {exc}")


def _render(event: object, stdout: TextIO) -> None:
    if isinstance(event, TextDelta):
        stdout.write(event.text)
    elif isinstance(event, ToolStarted):
        stdout.write(f"[{_TOOL_STATUS.get(event.name, event.name)}...]\n")
    elif isinstance(event, ToolFinished):
        return
    elif isinstance(event, TurnDone):
        stdout.write("\n")
        _sources(event.result, stdout)
    stdout.flush()


def _sources(result: TurnResult, stdout: TextIO) -> None:
    for citation in result.citations:
        stdout.write(f"  [{citation.number}] {citation.title} ({citation.source})\n")
    if result.ticket is not None and result.escalated:
        stdout.write(f"  ticket {result.ticket.number}: {result.ticket.status}\n")


def _say(stdout: TextIO, text: str) -> None:
    stdout.write(text + "\n")
    stdout.flush()
