"""The services the UI and the server talk to besides the turn itself: transcripts, the staff's
hand-off queue and the knowledge catalogue. Handlers stay a few lines of presentation, and the
store (`app.store`) stays behind this layer (an import-linter contract keeps the UI off it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.knowledge.documents import Chunk, DocumentInfo, Hit, IngestSummary
from app.store.records import TICKET_PRIORITIES, TICKET_STATUSES

if TYPE_CHECKING:
    from app.knowledge.base import KnowledgeBase, ProgressCallback
    from app.store import Store
    from app.store.records import MessageRecord, TicketRecord

__all__ = [
    "TICKET_PRIORITIES",
    "TICKET_STATUSES",
    "HandoffQueue",
    "KnowledgeCatalogue",
    "Transcript",
    "health_checks",
    "read_transcript",
]

Probe = Callable[[], dict[str, Any]]


class KnowledgeCatalogue(Protocol):
    """What the UI may do with the knowledge base: read and edit the catalogue, and search it.

    `KnowledgeBase` is one; the UI sees only these methods, not its stores, caches or models.
    """

    def list_documents(self) -> list[DocumentInfo]: ...

    def document_chunks(self, doc_id: str) -> list[Chunk]: ...

    def get_chunk(self, chunk_id: str) -> Hit | None: ...

    def ingest_path(
        self, path: str | Path, *, prune: bool = True, on_progress: ProgressCallback | None = None
    ) -> IngestSummary: ...

    def remove(self, doc_id: str) -> bool: ...

    def search(self, query: str, *, k: int | None = None, mode: str | None = None) -> list[Hit]: ...


@dataclass(frozen=True)
class Transcript:
    """One stored conversation as people read it: its messages, the names of its attachments, and
    the passages its answers cite (those the knowledge base still holds)."""

    records: Sequence[MessageRecord]
    attachment_names: dict[int, str]
    passages: dict[str, Hit]


def read_transcript(store: Store, knowledge: KnowledgeCatalogue | None, conversation_id: str) -> Transcript:
    """The conversation for display, shared by the customer's chat and the staff console, so both
    show it the same way; without a knowledge base no passage is looked up."""
    records = store.messages.list(conversation_id)
    attachments = store.attachments.list_for_conversation(conversation_id)
    names = {attachment.id: attachment.original_name for attachment in attachments}
    return Transcript(records, names, cited_passages(knowledge, records))


def cited_passages(knowledge: KnowledgeCatalogue | None, records: Sequence[Any]) -> dict[str, Hit]:
    """The chunk behind every citation in `records` that the knowledge base still holds."""
    if knowledge is None:
        return {}
    cited = {str(c["chunk_id"]) for record in records for c in (record.citations or []) if c.get("chunk_id")}
    hits = {chunk_id: knowledge.get_chunk(chunk_id) for chunk_id in cited}
    return {chunk_id: hit for chunk_id, hit in hits.items() if hit is not None}


class HandoffQueue:
    """The staff's side of a hand-off: the ticket queue, one ticket's transcript, and the actions
    on a ticket. The caller has checked who the staff member is (`app.ui.staff_auth`)."""

    def __init__(self, store: Store, knowledge: KnowledgeCatalogue | None = None) -> None:
        self.store = store
        self.knowledge = knowledge

    def tickets(self, *, status: str | None = None, priority: str | None = None) -> list[TicketRecord]:
        """The queue, filtered; None for either filter means any."""
        return self.store.tickets.list(status=status, priority=priority)

    def ticket(self, ticket_id: int | str) -> TicketRecord:
        """One ticket by id or number (NotFoundError when there is none)."""
        return self.store.tickets.get(ticket_id)

    def transcript(self, conversation_id: str) -> Transcript:
        return read_transcript(self.store, self.knowledge, conversation_id)

    def reply(self, ticket_id: int, staff: str, text: str) -> TicketRecord:
        """The staff member's reply, stored in the conversation the customer sees."""
        return self.store.tickets.reply(ticket_id, staff, text)

    def assign(self, ticket_id: int, staff: str) -> TicketRecord:
        return self.store.tickets.assign(ticket_id, staff)

    def resolve(self, ticket_id: int, staff: str, note: str | None = None) -> TicketRecord:
        return self.store.tickets.resolve(ticket_id, staff, note)

    def hand_back(self, ticket_id: int, staff: str) -> TicketRecord:
        """The assistant answers the conversation again; the ticket closes."""
        return self.store.tickets.hand_back(ticket_id, staff)


def health_checks(store: Store, kb: KnowledgeBase, chat_provider: str, *, ready: bool) -> dict[str, Probe]:
    """One probe per component for `/healthz`; each returns details and raises (or reports ok=False)
    when down. Lost documents the knowledge base could not restore make it 'degraded', not down."""

    def database() -> dict[str, Any]:
        return {"ok": bool(store.ping())}

    def vector_store() -> dict[str, Any]:
        details = {"ok": bool(kb.ping()), "documents": kb.stats()["documents"]}
        lost = kb.lost_documents()
        if lost:
            details["degraded"] = True
            details["lost_documents"] = [doc.doc_id for doc in lost][:20]
            details["fix"] = "Upload the lost documents again on the Knowledge tab (or re-run the import)."
        return details

    def model() -> dict[str, Any]:
        embedder = kb.embedder  # loads the embedding model once
        ok = ready and embedder.dimension > 0
        return {"ok": ok, "chat_provider": chat_provider, "embedding_model": embedder.name}

    return {"database": database, "vector_store": vector_store, "model": model}
