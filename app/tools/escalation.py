"""Handing a conversation to a human: one ticket per conversation, with a summary staff can act on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from agent_framework import FunctionInvocationContext, tool
from pydantic import Field

from app.protocol import ESCALATE_TOOL, NO_TICKET, TICKET_STATUS_TOOL, strip_attachment_markers
from app.tools.runtime import turn_of

if TYPE_CHECKING:
    from app.events import ToolCallRecord
    from app.store import Store
    from app.store.records import MessageRecord, TicketRecord

Priority = Literal["low", "normal", "high", "urgent"]
MAX_REASON_CHARS = 500
_QUOTE_CHARS = 300
_NEXT_STEP = {
    "urgent": "A member of our support team will pick this up as soon as possible, usually within the hour.",
    "high": "A member of our support team will reply here within a few hours.",
    "normal": "A member of our support team will reply here within one business day.",
    "low": "A member of our support team will reply here within two business days.",
}


class Escalation:
    """Opens (idempotently) and reports on the ticket of the running conversation."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @tool(name=ESCALATE_TOOL, approval_mode="never_require")
    def escalate_to_human(
        self,
        reason: Annotated[str, Field(description="Why a person is needed, in one sentence.")],
        priority: Annotated[Priority, Field(description="How urgent the case is.")] = "normal",
        ctx: FunctionInvocationContext | None = None,
    ) -> str:
        """Hand this conversation to a human support colleague (opens a ticket, once per conversation)."""
        turn = turn_of(ctx)
        reason = " ".join(reason.split())[:MAX_REASON_CHARS] or "The customer asked for a person."
        summary = summarise(self.store.messages.list(turn.conversation_id), turn.tool_calls, reason)
        ticket, opened = self.store.tickets.open(
            turn.conversation_id, reason=reason, priority=priority, summary=summary
        )
        turn.escalated = True
        if not opened:
            return (
                f"This conversation already has ticket {ticket.number} ({ticket.status}, "
                f"priority {ticket.priority}); no new ticket was opened. {_NEXT_STEP[ticket.priority]}"
            )
        return f"Ticket {ticket.number} opened with priority {ticket.priority}. {_NEXT_STEP[ticket.priority]}"

    @tool(name=TICKET_STATUS_TOOL, approval_mode="never_require")
    def get_ticket_status(self, ctx: FunctionInvocationContext) -> str:
        """Tell the status of this conversation's support ticket, if there is one."""
        ticket = self.store.tickets.for_conversation(turn_of(ctx).conversation_id)
        return describe_ticket(ticket)


def describe_ticket(ticket: TicketRecord | None) -> str:
    """The ticket's status in words, with the latest staff activity."""
    if ticket is None:
        return NO_TICKET
    text = f"Ticket {ticket.number}: status {ticket.status}, priority {ticket.priority}"
    text += f", handled by {ticket.assignee}." if ticket.assignee else "."
    if ticket.history:
        last = ticket.history[-1]
        text += f" Latest update: {last.get('event')} by {last.get('by')}"
        text += f" - {str(last['text'])[:_QUOTE_CHARS]}" if last.get("text") else ""
    return text


def summarise(messages: Sequence[MessageRecord], current_calls: Sequence[ToolCallRecord], reason: str) -> str:
    """What staff need at a glance: the request, the latest message and what was already tried."""
    asked = [strip_attachment_markers(m.content) for m in messages if m.role == "user"]
    lines = [f"Reason: {reason}"]
    if asked:
        lines.append(f"Customer's first message: {_clip(asked[0])}")
        if len(asked) > 1:
            lines.append(f"Latest message: {_clip(asked[-1])}")
    tried = _tried(messages, current_calls)
    lines.append("Already tried:" if tried else "Already tried: nothing yet.")
    lines.extend(f"- {step}" for step in tried)
    answers = [m.content for m in messages if m.role == "assistant"]
    if answers:
        lines.append(f"Last assistant reply: {_clip(answers[-1])}")
    lines.append(f"Messages so far: {len(messages)}.")
    return "\n".join(lines)


def _tried(messages: Sequence[MessageRecord], current_calls: Sequence[ToolCallRecord]) -> list[str]:
    """One line per tool call of earlier turns (stored on messages) and of this turn."""
    calls = [(c.get("name", ""), c.get("arguments") or {}) for m in messages for c in m.tool_calls]
    calls += [(c.name, c.arguments) for c in current_calls]
    steps = []
    for name, arguments in calls:
        if name in (ESCALATE_TOOL, TICKET_STATUS_TOOL):
            continue
        shown = json.dumps(arguments, ensure_ascii=False)[:120] if arguments else ""
        steps.append(f"{name}({shown})" if shown else name)
    return list(dict.fromkeys(steps))


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1] + "…"
