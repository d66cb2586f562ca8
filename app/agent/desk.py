"""`SupportDesk`: the one service the UI, the terminal chat and the evaluation talk to.

A turn is: check the input (nothing is stored if it is rejected), store the user's message, run
the agent with the conversation's ids passed as runtime kwargs (never as tool arguments), resolve
the `[n]` citations in the answer to the passages the search tool returned, and store the answer
with its tool calls and citations. The database is the source of truth, so any `SupportDesk`
over the same data - after a restart, in another process - continues the conversation.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent_framework import AgentSession, Message

from app.agent.context import bind_session, session_snapshot
from app.agent.factory import build_agent
from app.agent.providers import Preparable
from app.agent.services import (
    HandoffQueue,
    KnowledgeCatalogue,
    Probe,
    Transcript,
    health_checks,
    read_transcript,
)
from app.attachments import check_upload
from app.errors import InputError, ModelUnavailableError, NotFoundError, SupportError
from app.events import Citation, ReplyEvent, TextDelta, TurnDone, TurnResult
from app.files.sandbox import ExtractionLimits
from app.identity import Caller
from app.knowledge.documents import public_source
from app.logs import log_context
from app.metrics import ServiceMetrics
from app.protocol import attachment_marker, cited_numbers, strip_attachment_markers
from app.ratelimit import Limits, RateLimiter
from app.tools.runtime import TurnState
from app.validation import check_message_text

if TYPE_CHECKING:
    from agent_framework import Agent, SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.knowledge.warmup import AnswerUnitWarmer
    from app.settings import Settings
    from app.store import FileStore, Store
    from app.store.records import (
        AttachmentRecord,
        ConversationRecord,
        FeedbackRecord,
        MessageRecord,
        TicketRecord,
    )

logger = logging.getLogger(__name__)

SEED_ROLES = ("user", "assistant", "human_agent", "system")
_VISIBLE_ROLES = ("user", "assistant", "human_agent")
PERSON_HANDLING = (
    "A person is handling this conversation (ticket {number}); your message was passed to them "
    "and they will reply here."
)
UNANSWERED_APOLOGY = (
    "Sorry, we could not answer this message: our service was interrupted while working on it. "
    "Please send it again if you still need help."
)


@dataclass
class _Turn:
    """A turn in progress: what was stored for it and what the run needs."""

    conversation: ConversationRecord
    user_message: MessageRecord
    state: TurnState
    session: AgentSession
    started: float


class SupportDesk:
    """Conversations with the support agent, persisted in the store.

    Every method that names a conversation takes an optional `caller`: a web request's `Caller`
    (a visitor or an integration's customer) may only touch its own conversations (someone else's
    is NotFoundError, as if it did not exist) and is rate limited; without one (the evaluation,
    the terminal chat, tests) the caller is trusted.
    """

    def __init__(
        self, settings: Settings, *, kb: KnowledgeBase, store: Store, files: FileStore, agent: Agent[Any]
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.store = store
        self.files = files
        self.agent = agent
        self.rate_limiter = RateLimiter(store, Limits.from_settings(settings))
        self.metrics = ServiceMetrics()  # counted here, so every entry point (UI, API) is counted
        self.handoff = HandoffQueue(store, kb)  # the staff console's side of the hand-off
        self._warm_lock = threading.Lock()
        self._warm_requested = False
        self._warmer: Any = None  # what the model's warm-up returned (the offline one: a warmer)
        self._in_flight: dict[str, int] = {}  # conversation id -> turns running in this process
        self._in_flight_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        kb: KnowledgeBase | None = None,
        store: Store | None = None,
        chat_client: SupportsChatGetResponse[Any] | None = None,
    ) -> SupportDesk:
        """A desk over the configured knowledge base, database and chat model (any part may be given)."""
        from app.knowledge.base import KnowledgeBase
        from app.store import FileStore, Store

        kb = kb if kb is not None else KnowledgeBase.from_settings(settings)
        store = store if store is not None else Store.from_settings(settings)
        agent = build_agent(settings, kb=kb, store=store, chat_client=chat_client)
        return cls(settings, kb=kb, store=store, files=FileStore.from_settings(settings), agent=agent)

    # --- conversations ---------------------------------------------------------------------------
    def start_conversation(self, customer: str | Caller) -> str:
        """A new conversation for this customer (an external id, or a web caller: rate limited)."""
        caller = customer if isinstance(customer, Caller) else None
        external_id = (caller.customer if caller else customer or "").strip()
        if not external_id:
            raise InputError("A customer id is needed to start a conversation.")
        self.rate_limiter.check_new_conversation(caller)  # first: a refused caller stores nothing
        record = self.store.customers.get_or_create(external_id)
        return self.store.conversations.create(record.id).id

    def conversation(self, conversation_id: str, caller: Caller | None = None) -> ConversationRecord:
        """The conversation, when the caller may see it (NotFoundError otherwise)."""
        if caller is None:
            return self.store.conversations.get(conversation_id)
        return self.store.conversations.owned(conversation_id, caller.customer)

    def conversations(self, caller: Caller) -> list[ConversationRecord]:
        """The caller's own conversations, most recently active first."""
        record = self.store.customers.find(caller.customer)
        return [] if record is None else self.store.conversations.list_for_customer(record.id)

    def history(self, conversation_id: str, *, caller: Caller | None = None) -> list[MessageRecord]:
        self.conversation(conversation_id, caller)
        return self.store.messages.list(conversation_id)

    def seed_history(self, conversation_id: str, turns: Sequence[tuple[str, str]]) -> None:
        """Store earlier turns as they were (the evaluation's dialogue context); nothing is run."""
        self.store.conversations.get(conversation_id)
        for role, _text in turns:
            if role not in SEED_ROLES:
                raise InputError(f"Unknown role {role!r} in seeded history; expected one of {SEED_ROLES}.")
        for role, text in turns:
            self.store.messages.add(conversation_id, role, text)

    def add_attachment(
        self, conversation_id: str, filename: str, data: bytes, *, caller: Caller | None = None
    ) -> AttachmentRecord:
        """Check an upload by content, keep its bytes by hash and its extracted text; InputError if bad."""
        self.conversation(conversation_id, caller)
        upload = check_upload(
            filename,
            data,
            max_bytes=self.settings.max_attachment_bytes,
            allowed=self.settings.allowed_attachment_types,
            limits=ExtractionLimits.from_settings(self.settings),
        )
        stored = self.files.put(upload.data)
        record = self.store.attachments.add(
            conversation_id=conversation_id,
            original_name=upload.filename,
            media_type=upload.media_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            stored_path=str(stored.path),
            extracted_text=upload.text,
        )
        logger.info(
            "attachment added",
            extra={
                "conversation_id": conversation_id,
                "attachment_id": record.id,
                "file_type": upload.kind,
                "size_bytes": stored.size,
                "text_chars": len(upload.text),
            },
        )
        return record

    def rate_answer(self, message_id: int, helpful: bool, *, caller: Caller | None = None) -> FeedbackRecord:
        """Store a 👍 (helpful) or 👎 on one of the agent's answers in a conversation the caller may see.

        The rated answers are what `python -m eval import feedback:` turns into regression dialogues.
        """
        message = self.store.messages.get(message_id)
        self.conversation(message.conversation_id, caller)  # someone else's answer: NotFoundError
        if message.role != "assistant":
            raise InputError("Only the agent's answers can be rated.")
        record = self.store.feedback.add(message_id, 1 if helpful else -1)
        logger.info("answer rated", extra={"message_id": message_id, "rating": record.rating})
        return record

    # --- reading, for the UI ----------------------------------------------------------------------
    @property
    def knowledge(self) -> KnowledgeCatalogue:
        """The knowledge catalogue (documents, articles, search) as the UI may use it."""
        return self.kb

    def transcript(self, conversation_id: str) -> Transcript:
        """The stored conversation with its attachment names and cited passages, for display."""
        return read_transcript(self.store, self.kb, conversation_id)

    def ticket_for(self, conversation_id: str) -> TicketRecord | None:
        """The conversation's hand-off ticket, if it was ever escalated."""
        return self.store.tickets.for_conversation(conversation_id)

    def has_messages_after(self, conversation_id: str, message_id: int) -> bool:
        """Whether anything was written since `message_id` (0: at all), e.g. a person's reply."""
        return bool(self.store.messages.list(conversation_id, after_id=message_id or None))

    def check_new_token(self, ip: str | None) -> None:
        """Count a new visitor token for this address (RateLimitedError past the limit)."""
        self.rate_limiter.check_new_token(ip)

    def check_message(self, text: str) -> str:
        """The typed text, when the desk would accept it (the chat checks before storing any file)."""
        if len(text) > self.settings.max_message_chars:
            raise InputError(
                f"Your message is too long: it is {len(text)} characters long, and at most "
                f"{self.settings.max_message_chars} are allowed. Please shorten it and send it again."
            )
        return check_message_text(text)

    def health_checks(self) -> dict[str, Probe]:
        """One probe per component for `/healthz` (see `app.agent.services.health_checks`)."""
        return health_checks(self.store, self.kb, self.settings.chat_provider, ready=self.agent is not None)

    # --- turns -----------------------------------------------------------------------------------
    async def reply(
        self,
        conversation_id: str,
        text: str,
        *,
        attachment_ids: Sequence[int] = (),
        caller: Caller | None = None,
    ) -> TurnResult:
        """Answer one customer message; the answer is stored before this returns.

        The database work before and after the run happens in a worker thread, so a server's event
        loop keeps serving other customers meanwhile; within the turn it still runs in order.
        """
        turn = await asyncio.to_thread(self._accept, conversation_id, text, attachment_ids, caller)
        if isinstance(turn, TurnResult):  # a person handles the conversation: forwarded, not answered
            return turn
        with log_context(conversation=conversation_id), self._running(turn):
            response = await self.agent.run(
                Message("user", [turn.user_message.content]),
                session=turn.session,
                function_invocation_kwargs=turn.state.as_kwargs(),
            )
            return await asyncio.to_thread(self._finish, turn, response.text)  # copies the log context

    def _accept(
        self, conversation_id: str, text: str, attachment_ids: Sequence[int], caller: Caller | None
    ) -> _Turn | TurnResult:
        """Check the message, then forward it to the person handling the conversation (a finished
        `TurnResult`) or store it for the agent (a `_Turn`): one hop to a worker thread, not three."""
        conversation, content = self._checked(conversation_id, text, attachment_ids, caller)
        forwarded = self._forward_to_person(conversation, content, attachment_ids)
        if forwarded is not None:
            return forwarded
        return self._begin(conversation, content, attachment_ids)

    def stream_reply(
        self,
        conversation_id: str,
        text: str,
        *,
        attachment_ids: Sequence[int] = (),
        caller: Caller | None = None,
    ) -> AsyncIterator[ReplyEvent]:
        """Answer one customer message as events: text deltas, tool calls, then `TurnDone`.

        The input is checked now (InputError before anything is stored); the message is stored and
        the agent runs when iteration starts.
        """
        conversation, content = self._checked(conversation_id, text, attachment_ids, caller)
        return self._stream(conversation, content, attachment_ids)

    async def _stream(
        self, conversation: ConversationRecord, content: str, attachment_ids: Sequence[int]
    ) -> AsyncIterator[ReplyEvent]:
        forwarded = await asyncio.to_thread(self._forward_to_person, conversation, content, attachment_ids)
        if forwarded is not None:
            yield TurnDone(forwarded)
            return
        turn = await asyncio.to_thread(self._begin, conversation, content, attachment_ids)
        with self._running(turn):
            stream = self.agent.run(
                Message("user", [content]),
                stream=True,
                session=turn.session,
                function_invocation_kwargs=turn.state.as_kwargs(),
            )
            async for update in stream:
                for event in turn.state.drain_events():
                    yield event
                if update.text:
                    yield TextDelta(update.text)
            final = await stream.get_final_response()
            for event in turn.state.drain_events():
                yield event
            with log_context(conversation=conversation.id):
                result = await asyncio.to_thread(self._finish, turn, final.text)
        yield TurnDone(result)

    @contextmanager
    def _running(self, turn: _Turn) -> Iterator[None]:
        """While a turn runs: mark its conversation busy, count a failure, and turn a model's
        exception into the error a person sees."""
        conversation_id = turn.conversation.id
        with self._in_flight_lock:
            self._in_flight[conversation_id] = self._in_flight.get(conversation_id, 0) + 1
        try:
            yield
        except SupportError:
            self.metrics.observe_failure()
            raise
        except Exception as exc:
            self.metrics.observe_failure()
            raise _model_failure(exc) from exc
        finally:
            with self._in_flight_lock:
                left = self._in_flight.pop(conversation_id, 1) - 1
                if left > 0:
                    self._in_flight[conversation_id] = left

    def _checked(
        self, conversation_id: str, text: str, attachment_ids: Sequence[int], caller: Caller | None = None
    ) -> tuple[ConversationRecord, str]:
        """The conversation and the message as the agent will see it (with attachment markers).

        The rate limits are counted last, so a message refused for its content costs nothing.
        """
        text = (text or "").strip()
        if not text and not attachment_ids:
            raise InputError("The message is empty.")
        self.check_message(text)
        conversation = self.conversation(conversation_id, caller)
        markers = [self._marker(conversation_id, attachment_id) for attachment_id in attachment_ids]
        self.rate_limiter.check_message(conversation_id, caller)
        return conversation, "\n".join([text, *markers]).strip()

    def _forward_to_person(
        self, conversation: ConversationRecord, content: str, attachment_ids: Sequence[int]
    ) -> TurnResult | None:
        """While a person handles the conversation, the agent keeps quiet: the message is stored,
        noted on the ticket and acknowledged with a notice. None: no person has it; the agent answers."""
        ticket = self.store.tickets.for_conversation(conversation.id)
        if ticket is None or not handled_by_person(ticket):
            return None
        self.store.messages.add(conversation.id, "user", content, attachment_ids=list(attachment_ids))
        ticket = self.store.tickets.forward(ticket.id, strip_attachment_markers(content))
        notice = self.store.messages.add(
            conversation.id, "system", PERSON_HANDLING.format(number=ticket.number)
        )
        logger.info(
            "message forwarded to staff", extra={"conversation_id": conversation.id, "ticket": ticket.number}
        )
        return TurnResult(
            conversation_id=conversation.id,
            message_id=notice.id,
            text=notice.content,
            ticket=ticket,
            forwarded=True,
        )

    def _marker(self, conversation_id: str, attachment_id: int) -> str:
        try:
            record = self.store.attachments.get(attachment_id)
        except NotFoundError:
            record = None
        if record is None or record.conversation_id != conversation_id:
            raise InputError(f"Attachment {attachment_id} does not belong to this conversation.")
        return attachment_marker(record.id, record.original_name)

    def _begin(self, conversation: ConversationRecord, content: str, attachment_ids: Sequence[int]) -> _Turn:
        """Store the user's message and set up the run's session and per-turn state."""
        started = time.perf_counter()
        self.warm_answer_units()  # the first use of the desk starts it, if nothing did before
        conversation_id = conversation.id
        message = self.store.messages.add(
            conversation_id, "user", content, attachment_ids=list(attachment_ids)
        )
        earlier = [r for r in self.store.messages.list(conversation_id) if r.id < message.id]
        dialogue = [strip_attachment_markers(r.content) for r in earlier if r.role in _VISIBLE_ROLES]
        state = TurnState(
            customer_id=conversation.customer_id,
            conversation_id=conversation_id,
            dialogue=[d for d in dialogue if d],
            customer_turns=[
                t for r in earlier if r.role == "user" and (t := strip_attachment_markers(r.content))
            ],
        )
        session = _restore_session(conversation)
        bind_session(
            session,
            customer_id=conversation.customer_id,
            conversation_id=conversation_id,
            before_message_id=message.id,
            history=earlier,
        )
        return _Turn(
            conversation=conversation, user_message=message, state=state, session=session, started=started
        )

    def _finish(self, turn: _Turn, text: str) -> TurnResult:
        """Resolve citations, store the answer with its tool calls, and describe the turn."""
        state = turn.state
        text = text.strip()
        citations = resolve_citations(text, state)
        latency_ms = (time.perf_counter() - turn.started) * 1000
        message = self.store.messages.add(
            state.conversation_id,
            "assistant",
            text,
            tool_calls=[call.to_dict() for call in state.tool_calls],
            citations=[citation.to_dict() for citation in citations],
            latency_ms=round(latency_ms, 2),
        )
        snapshot = session_snapshot(turn.session)
        if snapshot != turn.conversation.session_state:
            self.store.conversations.save_session_state(state.conversation_id, snapshot)
        ticket = self.store.tickets.for_conversation(state.conversation_id)
        result = TurnResult(
            conversation_id=state.conversation_id,
            message_id=message.id,
            text=text,
            tool_calls=list(state.tool_calls),
            citations=citations,
            retrieved=list(state.hits),
            searched=state.searched,
            escalated=state.escalated,
            ticket=ticket,
            latency_ms=latency_ms,
        )
        self.metrics.observe_turn(result)
        logger.info(
            "turn answered",
            extra={
                "latency_ms": round(latency_ms, 2),
                "tools": [c.name for c in state.tool_calls],
                "citations": len(citations),
                "hits": len(state.hits),
                "escalated": state.escalated,
            },
        )
        return result

    def recover_unanswered(self, *, older_than: timedelta) -> int:
        """Answer, with an apology, every customer message left without a reply (a process killed
        mid-turn), so none is silently dropped; returns how many conversations were answered.

        Only messages older than `older_than` count, and never a conversation with a turn running
        in this process: another worker sharing the database may still be answering a fresh one.
        """
        cutoff = datetime.now(UTC) - older_than
        with self._in_flight_lock:
            busy = set(self._in_flight)
        waiting = dict.fromkeys(
            m.conversation_id
            for m in self.store.messages.unanswered(before=cutoff)
            if m.conversation_id not in busy
        )
        for conversation_id in waiting:
            self.store.messages.add(conversation_id, "assistant", UNANSWERED_APOLOGY)
        if waiting:
            logger.warning(
                "unanswered messages answered with an apology", extra={"conversations": len(waiting)}
            )
        return len(waiting)

    def prepare_model(self) -> Any:
        """Let the chat model get ready for its first turn (any provider with a `prepare` hook: the
        offline one embeds the help centre's answer sentences in the background); returns at once,
        with what the provider returned (something to `wait()` on) or None."""
        client = getattr(self.agent, "client", None)
        return client.prepare(self.kb) if isinstance(client, Preparable) else None

    def warm_answer_units(self) -> AnswerUnitWarmer | None:
        """The model's warm-up (`prepare_model`), started once; this desk owns what it returned
        (the knowledge base only tells it about new chunks). The server starts it at startup, the
        first turn otherwise; replays and benchmarks wait for it (`finish_warm_up`)."""
        with self._warm_lock:
            if not self._warm_requested:
                self._warm_requested = True
                self._warmer = self.prepare_model()
            return self._warmer

    def finish_warm_up(self) -> AnswerUnitWarmer | None:
        """Start the warm-up if nothing did, and wait until it is done. For replays and benchmarks:
        a sentence embedded in the warm-up's batch and in a turn's batch differ in the last float
        bits, so a turn that races the warm-up can flip a near-tie (a train turn was answered from
        the price list in one run and from the price-match article in another)."""
        warmer = self.warm_answer_units()
        if warmer is not None:
            warmer.wait()
        return warmer

    def close(self) -> None:
        self.store.close()


def handled_by_person(ticket: TicketRecord | None) -> bool:
    """Whether a person has taken the conversation over: its ticket is assigned, or staff replied
    since it was last (re)opened. Resolving or handing the ticket back gives it to the agent again."""
    if ticket is None or ticket.status == "resolved":
        return False
    if ticket.status == "assigned":
        return True
    for event in reversed(ticket.history):
        if event.get("event") == "reply":
            return True
        if event.get("event") in ("opened", "reopened"):
            return False
    return False


def resolve_citations(text: str, state: TurnState) -> list[Citation]:
    """Each `[n]` in the answer that names a passage shown this turn; unknown numbers are dropped."""
    citations = []
    for number in cited_numbers(text):
        if 1 <= number <= len(state.hits):
            hit = state.hits[number - 1]
            source = public_source(hit.doc_id, hit.source)  # never a server path
            citations.append(Citation(number, hit.chunk_id, hit.doc_id, hit.title, source))
    return citations


def _restore_session(conversation: ConversationRecord) -> AgentSession:
    """The conversation's agent session as saved after its last turn, or a fresh one."""
    saved = conversation.session_state or {}
    if saved.get("session_id") == conversation.id:
        try:
            return AgentSession.from_dict(saved)
        except Exception:  # an unreadable snapshot must not block the conversation
            logger.warning("session state unreadable; starting afresh", extra={"conv": conversation.id})
    return AgentSession(session_id=conversation.id)


def _model_failure(exc: Exception) -> ModelUnavailableError:
    """A chat-model failure as the user sees it; the details go to the log only."""
    logger.error("agent run failed", exc_info=exc)
    return ModelUnavailableError("The assistant could not answer just now; please try again in a moment.")
