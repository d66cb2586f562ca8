"""The manifest: which documents are fully indexed, in a database every reader of the vectors reaches.

Chroma holds the vectors; the manifest holds each document's content hash and its chunks (the
catalogue BM25 and hit rendering read from). Writes follow one order that makes a killed
process harmless: a document is marked *pending* before any of its vectors change, and the
pending mark is cleared in the same transaction that records the finished document. On the next
start, anything still pending is wiped from Chroma and forgotten, so it is simply ingested again.

Where it lives follows the vectors it describes (`manifest_url`): beside an embedded Chroma, a
SQLite file in the data folder; with a Chroma server and a configured database (PostgreSQL), in
that database, so app processes on several hosts, each with its own data folder, share one
manifest. Its tables (`kb_*`) carry the collection name, so collections never mix; they belong to
the knowledge base and are created here on first use, not by the app's Alembic migrations.

Every commit bumps the collection's revision; `version()` (generation:revision) tells each
process when to rebuild its in-memory catalogue and local BM25 index from the shared chunks.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session

from app.knowledge.documents import Chunk, DocumentInfo, SourceDocument
from app.store.db import Database

logger = logging.getLogger(__name__)

_META = MetaData()
_DOCUMENTS = Table(
    "kb_documents",
    _META,
    Column("collection", Text, primary_key=True),
    Column("doc_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
)
_CHUNK_FIELDS = ("chunk_id", "doc_id", "position", "title", "section", "text", "index_text", "source")
_CHUNKS = Table(
    "kb_chunks",
    _META,
    Column("collection", Text, primary_key=True),
    Column("chunk_id", Text, primary_key=True),
    Column("doc_id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("index_text", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("metadata", Text, nullable=False),
    Index("ix_kb_chunks_doc", "collection", "doc_id"),
)
_PENDING = Table(
    "kb_pending",
    _META,
    Column("collection", Text, primary_key=True),
    Column("doc_id", Text, primary_key=True),
    Column("marked_at", Text, nullable=False),
)
_STATE = Table(
    "kb_state",
    _META,
    Column("collection", Text, primary_key=True),
    Column("generation", Text, nullable=False),
    Column("revision", Integer, nullable=False),
)
_LOST = Table(
    "kb_lost",
    _META,
    Column("collection", Text, primary_key=True),
    Column("doc_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("lost_at", Text, nullable=False),
)


@dataclass(frozen=True)
class LostDocument:
    """A document whose vectors vanished (a damaged or deleted vector store), until it is restored
    from its origin, ingested again or removed on purpose."""

    doc_id: str
    title: str
    origin: str
    lost_at: str


def manifest_url(file: Path, database_url: str | None, shared_vectors: bool) -> str:
    """The shared database when the vectors are shared too (a Chroma server), else the local file:
    a manifest in PostgreSQL describing an embedded Chroma on one host would mislead every other."""
    return database_url if (database_url and shared_vectors) else f"sqlite:///{file.resolve()}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Manifest:
    """Committed documents and their chunks for one collection."""

    def __init__(self, url: str, collection: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(url)
        self.collection = collection
        self.shared = not self.db.is_sqlite
        self._create()

    def close(self) -> None:
        self.db.dispose()

    def _create(self) -> None:
        """The tables and this collection's state row; safe when several processes start at once."""
        for attempt in range(3):
            try:
                with self.db.engine.begin() as connection:
                    _META.create_all(connection, checkfirst=True)
                with self._write() as session:
                    present = session.scalar(select(_STATE.c.revision).where(self._mine(_STATE)))
                    if present is None:
                        session.execute(
                            _STATE.insert().values(self._key(generation=uuid.uuid4().hex, revision=0))
                        )
                        _import_legacy(session, self.collection)
                return
            except (IntegrityError, ProgrammingError):  # another process created them meanwhile
                if attempt == 2:
                    raise

    def _mine(self, table: Table) -> Any:
        return table.c.collection == self.collection

    def _key(self, **values: Any) -> dict[str, Any]:
        return {"collection": self.collection, **values}

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.db.session(write=True) as session:
            yield session

    # --- reading ---------------------------------------------------------------------------
    def revision(self) -> int:
        """Bumped by every commit; readers rebuild their in-memory views when it changes."""
        with self._read() as session:
            return int(session.scalar(select(_STATE.c.revision).where(self._mine(_STATE))) or 0)

    def version(self) -> str:
        """Names this exact state, also across a deleted and recreated manifest (for saved indexes)."""
        with self._read() as session:
            row = session.execute(
                select(_STATE.c.generation, _STATE.c.revision).where(self._mine(_STATE))
            ).first()
        return f"{row[0]}:{row[1]}" if row else ":0"

    def hashes(self) -> dict[str, str]:
        return self._pairs(_DOCUMENTS.c.doc_id, _DOCUMENTS.c.content_hash)

    def origins(self) -> dict[str, str]:
        return self._pairs(_DOCUMENTS.c.doc_id, _DOCUMENTS.c.origin)

    def _pairs(self, key: Any, value: Any) -> dict[str, str]:
        with self._read() as session:
            rows = session.execute(select(key, value).where(self._mine(_DOCUMENTS)))
            return {row[0]: row[1] for row in rows}

    def documents(self) -> list[DocumentInfo]:
        columns = [_DOCUMENTS.c[name] for name in ("doc_id", "title", "source", "chunks", "updated_at")]
        query = select(*columns).where(self._mine(_DOCUMENTS)).order_by(_DOCUMENTS.c.doc_id)
        with self._read() as session:
            return [DocumentInfo(*row) for row in session.execute(query)]

    def counts(self) -> tuple[int, int]:
        """(documents, chunks)."""
        with self._read() as session:
            docs = session.scalar(select(func.count()).select_from(_DOCUMENTS).where(self._mine(_DOCUMENTS)))
            chunks = session.scalar(select(func.count()).select_from(_CHUNKS).where(self._mine(_CHUNKS)))
        return int(docs or 0), int(chunks or 0)

    def chunks(self) -> list[Chunk]:
        """Every committed chunk in a stable order."""
        columns = [_CHUNKS.c[name] for name in (*_CHUNK_FIELDS, "metadata")]
        query = select(*columns).where(self._mine(_CHUNKS)).order_by(_CHUNKS.c.doc_id, _CHUNKS.c.position)
        with self._read() as session:
            return [Chunk(*row[:8], metadata=json.loads(row[8])) for row in session.execute(query)]

    def chunk_ids(self) -> set[str]:
        with self._read() as session:
            return set(session.scalars(select(_CHUNKS.c.chunk_id).where(self._mine(_CHUNKS))))

    def pending(self, *, older_than: timedelta | None = None) -> list[str]:
        """Documents marked pending (only those marked before `older_than` ago, when given)."""
        query = select(_PENDING.c.doc_id).where(self._mine(_PENDING)).order_by(_PENDING.c.doc_id)
        if older_than is not None:
            cutoff = (datetime.now(UTC) - older_than).isoformat(timespec="seconds")
            query = query.where(_PENDING.c.marked_at < cutoff)
        with self._read() as session:
            return list(session.scalars(query))

    def lost(self) -> list[LostDocument]:
        columns = [_LOST.c[name] for name in ("doc_id", "title", "origin", "lost_at")]
        query = select(*columns).where(self._mine(_LOST)).order_by(_LOST.c.doc_id)
        with self._read() as session:
            return [LostDocument(*row) for row in session.execute(query)]

    def docs_of_chunks(self, chunk_ids: Iterable[str]) -> set[str]:
        wanted = set(chunk_ids)
        query = select(_CHUNKS.c.chunk_id, _CHUNKS.c.doc_id).where(self._mine(_CHUNKS))
        with self._read() as session:
            return {doc_id for chunk_id, doc_id in session.execute(query) if chunk_id in wanted}

    # --- writing ---------------------------------------------------------------------------
    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record intent before touching the vector store (see the module docstring)."""
        now = _now()
        rows = [self._key(doc_id=doc_id, marked_at=now) for doc_id in dict.fromkeys(doc_ids)]
        if not rows:
            return
        with self._write() as session:
            session.execute(_insert_ignore(session, _PENDING), rows)

    def commit(self, items: Sequence[tuple[SourceDocument, str, str, list[Chunk]]]) -> None:
        """Record finished documents (doc, content hash, origin, chunks) and clear their pending marks."""
        now = _now()
        doc_ids = [doc.doc_id for doc, _, _, _ in items]
        chunk_rows = [
            self._key(
                **{name: getattr(chunk, name) for name in _CHUNK_FIELDS},
                metadata=json.dumps(chunk.metadata, ensure_ascii=False),
            )
            for _, _, _, chunks in items
            for chunk in chunks
        ]
        document_rows = [
            self._key(
                doc_id=doc.doc_id,
                title=doc.title,
                source=doc.source,
                origin=origin,
                content_hash=content_hash,
                chunks=len(chunks),
                updated_at=now,
            )
            for doc, content_hash, origin, chunks in items
        ]
        with self._write() as session:
            self._drop(session, doc_ids, tables=(_CHUNKS, _DOCUMENTS, _PENDING, _LOST))
            if chunk_rows:
                session.execute(_CHUNKS.insert(), chunk_rows)
            if document_rows:
                session.execute(_DOCUMENTS.insert(), document_rows)
            self._bump(session)

    def forget(self, doc_ids: Iterable[str], *, lost: bool = False) -> None:
        """Drop documents (and any pending marks) after their vectors were deleted.

        With `lost`, the vectors vanished without anyone asking: each document is remembered in
        the `lost` table (title and origin) until it is restored; otherwise it is forgotten whole.
        """
        doc_ids = list(dict.fromkeys(doc_ids))
        with self._write() as session:
            if lost and doc_ids:
                known = session.execute(
                    select(_DOCUMENTS.c.doc_id, _DOCUMENTS.c.title, _DOCUMENTS.c.origin).where(
                        self._mine(_DOCUMENTS), _DOCUMENTS.c.doc_id.in_(doc_ids)
                    )
                ).all()
                self._drop(session, [row[0] for row in known], tables=(_LOST,))
                now = _now()
                rows = [self._key(doc_id=d, title=t, origin=o, lost_at=now) for d, t, o in known]
                if rows:
                    session.execute(_LOST.insert(), rows)
                self._drop(session, doc_ids, tables=(_CHUNKS, _DOCUMENTS, _PENDING))
            else:
                self._drop(session, doc_ids, tables=(_CHUNKS, _DOCUMENTS, _PENDING, _LOST))
            self._bump(session)

    def _drop(self, session: Session, doc_ids: list[str], *, tables: Sequence[Table]) -> None:
        for start in range(0, len(doc_ids), 500):  # bounded IN lists
            part = doc_ids[start : start + 500]
            for table in tables:
                session.execute(delete(table).where(self._mine(table), table.c.doc_id.in_(part)))

    def _bump(self, session: Session) -> None:
        session.execute(update(_STATE).where(self._mine(_STATE)).values(revision=_STATE.c.revision + 1))


def _insert_ignore(session: Session, table: Table) -> Any:
    """INSERT that leaves rows already there alone (SQLite and PostgreSQL spell it differently)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def _import_legacy(session: Session, collection: str) -> None:
    """A manifest file written before the `kb_*` tables (documents, chunks, pending, lost, meta):
    copy its rows over once, so an existing data folder keeps its index."""
    if session.get_bind().dialect.name != "sqlite" or not inspect(session.connection()).has_table(
        "documents"
    ):
        return
    for table, columns in (
        (_DOCUMENTS, "doc_id, title, source, origin, content_hash, chunks, updated_at"),
        (_CHUNKS, "chunk_id, doc_id, position, title, section, text, index_text, source, metadata"),
        (_LOST, "doc_id, title, origin, lost_at"),
    ):
        session.execute(
            text(
                f"INSERT INTO {table.name} (collection, {columns}) "
                f"SELECT :collection, {columns} FROM {table.name.removeprefix('kb_')}"
            ),
            {"collection": collection},
        )
    session.execute(
        text(
            "INSERT INTO kb_pending (collection, doc_id, marked_at) "
            "SELECT :collection, doc_id, '' FROM pending"
        ),
        {"collection": collection},
    )
    logger.info("manifest moved to the kb_* tables", extra={"collection": collection})
