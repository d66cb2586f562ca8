"""Context providers: what the agent is told before each run, read fresh from the database.

* `StoreHistoryProvider` loads the conversation from the messages table - the one source of truth,
  so a conversation resumes after a restart and replies a human colleague wrote from the ticket
  console are part of what the agent sees next turn. `SupportDesk` hands it the messages it read
  while storing the turn's input, so a turn reads its history once.
* `CustomerFactsProvider` adds the facts remembered about the customer to the instructions, in
  the block format `app.protocol.format_facts` defines.

Neither stores anything: `SupportDesk` writes the user and assistant messages itself, with their
tool calls and citations. Their database reads run in a worker thread, off the event loop. Who is
talking travels in the session state set by `bind_session`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agent_framework import AgentSession, Content, ContextProvider, HistoryProvider, Message, SessionContext

from app.protocol import READ_ATTACHMENT_TOOL, format_facts

if TYPE_CHECKING:
    from agent_framework import SupportsAgentRun

    from app.store import Store
    from app.store.records import MessageRecord

SESSION_KEY = "support"
HISTORY_SOURCE = "support_history"
FACTS_SOURCE = "customer_facts"
MAX_HISTORY_MESSAGES = 40
STAFF_AUTHOR = "support_team"
STAFF_PREFIX = "[Support team] "
# What the model read from the customer's files in an earlier turn stays in the history as the calls
# and results they were, as in any chat transcript: a later question about the file ("what is the
# total?" after sending an invoice) is answered from it without reading it again. Only files: a
# search's passages answered that turn's question.
REPLAYED_TOOLS = frozenset({READ_ATTACHMENT_TOOL})


def bind_session(
    session: AgentSession,
    *,
    customer_id: int,
    conversation_id: str,
    before_message_id: int | None,
    history: Sequence[MessageRecord] | None = None,
) -> AgentSession:
    """Tell the providers whose conversation this run is, and where this turn's input starts.

    `history`: the conversation's messages as the caller just read them (in the transaction that
    stored this turn's input), so `StoreHistoryProvider` need not read them again.
    """
    session.state[SESSION_KEY] = {
        "customer_id": customer_id,
        "conversation_id": conversation_id,
        "before_message_id": before_message_id,
        "history": None if history is None else tuple(history),
    }
    return session


def session_snapshot(session: AgentSession) -> dict[str, Any]:
    """What to persist of a session: everything but the per-turn binding (rebuilt every turn)."""
    bound = session.state.pop(SESSION_KEY, None)  # not serialised at all: it holds message records
    try:
        snapshot = session.to_dict()
    finally:
        if bound is not None:
            session.state[SESSION_KEY] = bound
    snapshot["state"] = {key: value for key, value in snapshot["state"].items() if key != SESSION_KEY}
    return snapshot


def _bound(session: AgentSession) -> dict[str, Any]:
    bound = session.state.get(SESSION_KEY)
    if not isinstance(bound, dict):
        raise RuntimeError("The support agent runs only through SupportDesk (session not bound).")
    return bound


def to_agent_message(record: MessageRecord) -> Message | None:
    """A stored message as the model should see it; staff replies are marked as such."""
    if record.role == "user":
        return Message("user", [record.content])
    if record.role == "assistant":
        return Message("assistant", [record.content])
    if record.role == "human_agent":
        return Message("assistant", [STAFF_PREFIX + record.content], author_name=STAFF_AUTHOR)
    if record.role == "system":
        return Message("system", [record.content])
    return None


def replayed_calls(record: MessageRecord) -> list[Message]:
    """An assistant message's calls of `REPLAYED_TOOLS`, each as the call and its result."""
    if record.role != "assistant":
        return []
    messages = []
    for i, call in enumerate(c for c in record.tool_calls if c.get("name") in REPLAYED_TOOLS):
        call_id = f"history-{record.id}-{i}"
        arguments = call.get("arguments") or {}
        messages.append(
            Message("assistant", [Content.from_function_call(call_id, call["name"], arguments=arguments)])
        )
        messages.append(
            Message("tool", [Content.from_function_result(call_id, result=str(call.get("result", "")))])
        )
    return messages


def history_messages(records: Sequence[MessageRecord], *, before_id: int | None, limit: int) -> list[Message]:
    """The last `limit` stored messages before this turn's own input, oldest first, each assistant
    message after the files it read (`replayed_calls`)."""
    earlier = [r for r in records if before_id is None or r.id < before_id]
    messages = []
    for record in earlier[-limit:]:
        messages.extend(replayed_calls(record))
        if (message := to_agent_message(record)) is not None:
            messages.append(message)
    return messages


class StoreHistoryProvider(HistoryProvider):
    """Loads the conversation's history from the database; saving is the desk's job."""

    def __init__(self, store: Store, *, limit: int = MAX_HISTORY_MESSAGES) -> None:
        super().__init__(HISTORY_SOURCE, load_messages=True, store_inputs=False, store_outputs=False)
        self.store = store
        self.limit = limit

    async def before_run(
        self,
        *,
        agent: SupportsAgentRun,
        session: AgentSession,
        context: SessionContext,
        state: dict[str, Any],
    ) -> None:
        bound = _bound(session)
        records = bound.get("history")
        if records is None:
            records = await asyncio.to_thread(self.store.messages.list, bound["conversation_id"])
        context.extend_messages(
            self, history_messages(records, before_id=bound["before_message_id"], limit=self.limit)
        )

    async def get_messages(
        self, session_id: str | None, *, state: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Message]:
        """History by conversation id (the session id is the conversation id)."""
        if not session_id:
            return []
        records = await asyncio.to_thread(self.store.messages.list, session_id)
        return history_messages(records, before_id=None, limit=self.limit)

    async def save_messages(
        self,
        session_id: str | None,
        messages: Sequence[Message],
        *,
        state: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Nothing to do: `SupportDesk` stores each turn with its tool calls and citations."""


class CustomerFactsProvider(ContextProvider):
    """Adds what we remember about the customer to the instructions of every run."""

    def __init__(self, store: Store) -> None:
        super().__init__(FACTS_SOURCE)
        self.store = store

    async def before_run(
        self,
        *,
        agent: SupportsAgentRun,
        session: AgentSession,
        context: SessionContext,
        state: dict[str, Any],
    ) -> None:
        records = await asyncio.to_thread(self.store.memories.list, _bound(session)["customer_id"])
        facts = {m.key: m.value for m in records}
        if block := format_facts(facts):
            context.extend_instructions(self.source_id, block)
