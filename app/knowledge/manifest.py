"""The manifest: a small SQLite file that says which documents are fully indexed.

Chroma holds the vectors; the manifest holds each document's content hash and its chunks (the
catalogue BM25 and hit rendering read from). Writes follow one order that makes a killed
process harmless: a document is marked *pending* before any of its vectors change, and the
pending mark is cleared in the same transaction that records the finished document. On the next
start, anything still pending is wiped from Chroma and forgotten, so it is simply ingested again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.knowledge.documents import Chunk, DocumentInfo, SourceDocument

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL,
    content_hash TEXT NOT NULL, chunks INTEGER NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL,
    section TEXT NOT NULL, text TEXT NOT NULL, index_text TEXT NOT NULL, source TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lost (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, origin TEXT NOT NULL, lost_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LostDocument:
    """A document whose vectors vanished (a damaged or deleted vector store), until it is restored
    from its origin, ingested again or removed on purpose."""

    doc_id: str
    title: str
    origin: str
    lost_at: str


class Manifest:
    """Committed documents and their chunks for one collection."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', ?)", (uuid.uuid4().hex,)
        )
        self._lock = threading.RLock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # --- reading ---------------------------------------------------------------------------
    def revision(self) -> int:
        """Bumped by every commit; readers rebuild their in-memory views when it changes."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else 0

    def version(self) -> str:
        """Names this exact state, also across a deleted and recreated manifest (for saved indexes)."""
        rows = dict(self._conn.execute("SELECT key, value FROM meta"))
        return f"{rows.get('generation', '')}:{rows.get('revision', '0')}"

    def hashes(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT doc_id, content_hash FROM documents"))

    def origins(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT doc_id, origin FROM documents"))

    def documents(self) -> list[DocumentInfo]:
        rows = self._conn.execute(
            "SELECT doc_id, title, source, chunks, updated_at FROM documents ORDER BY doc_id"
        )
        return [DocumentInfo(*row) for row in rows]

    def counts(self) -> tuple[int, int]:
        """(documents, chunks)."""
        docs = self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def chunks(self) -> list[Chunk]:
        """Every committed chunk in a stable order."""
        rows = self._conn.execute(
            "SELECT chunk_id, doc_id, position, title, section, text, index_text, source, metadata "
            "FROM chunks ORDER BY doc_id, position"
        )
        return [Chunk(*row[:8], metadata=json.loads(row[8])) for row in rows]

    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT chunk_id FROM chunks")}

    def pending(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT doc_id FROM pending")]

    def lost(self) -> list[LostDocument]:
        rows = self._conn.execute("SELECT doc_id, title, origin, lost_at FROM lost ORDER BY doc_id")
        return [LostDocument(*row) for row in rows]

    # --- writing ---------------------------------------------------------------------------
    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record intent before touching the vector store (see the module docstring)."""
        with self._transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO pending (doc_id) VALUES (?)", [(d,) for d in doc_ids])

    def commit(self, items: Sequence[tuple[SourceDocument, str, str, list[Chunk]]]) -> None:
        """Record finished documents (doc, content hash, origin, chunks) and clear their pending marks."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as conn:
            for doc, content_hash, origin, chunks in items:
                conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
                conn.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            c.chunk_id,
                            c.doc_id,
                            c.position,
                            c.title,
                            c.section,
                            c.text,
                            c.index_text,
                            c.source,
                            json.dumps(c.metadata, ensure_ascii=False),
                        )
                        for c in chunks
                    ],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (doc.doc_id, doc.title, doc.source, origin, content_hash, len(chunks), now),
                )
                conn.execute("DELETE FROM pending WHERE doc_id = ?", (doc.doc_id,))
                conn.execute("DELETE FROM lost WHERE doc_id = ?", (doc.doc_id,))
            self._bump(conn)

    def forget(self, doc_ids: Iterable[str], *, lost: bool = False) -> None:
        """Drop documents (and any pending marks) after their vectors were deleted.

        With `lost`, the vectors vanished without anyone asking: each document is remembered in
        the `lost` table (title and origin) until it is restored; otherwise it is forgotten whole.
        """
        rows = [(d,) for d in doc_ids]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as conn:
            if lost:
                conn.executemany(
                    "INSERT OR REPLACE INTO lost "
                    "SELECT doc_id, title, origin, ? FROM documents WHERE doc_id = ?",
                    [(now, d) for (d,) in rows],
                )
            else:
                conn.executemany("DELETE FROM lost WHERE doc_id = ?", rows)
            conn.executemany("DELETE FROM chunks WHERE doc_id = ?", rows)
            conn.executemany("DELETE FROM documents WHERE doc_id = ?", rows)
            conn.executemany("DELETE FROM pending WHERE doc_id = ?", rows)
            self._bump(conn)

    def docs_of_chunks(self, chunk_ids: Iterable[str]) -> set[str]:
        wanted = set(chunk_ids)
        rows = self._conn.execute("SELECT chunk_id, doc_id FROM chunks")
        return {doc_id for chunk_id, doc_id in rows if chunk_id in wanted}

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('revision', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
