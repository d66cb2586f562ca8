"""The knowledge manifest in a database: SQLite here, PostgreSQL with scripts/postgres-test.sh.

Two `Manifest` objects over one database stand for two hosts sharing it: what one commits, the
other reads at once, under a new version; collections never mix; an old manifest file moves over.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from app.knowledge.documents import Chunk, SourceDocument
from app.knowledge.manifest import Manifest, manifest_url


def _doc(doc_id: str, text: str) -> tuple[SourceDocument, str, str, list[Chunk]]:
    doc = SourceDocument(doc_id=doc_id, title=doc_id.title(), text=text, source=f"{doc_id}.md")
    chunk = Chunk(f"{doc_id}#0", doc_id, 0, doc.title, "", text, text, doc.source, metadata={"entity": ""})
    return doc, f"hash-{text}", "/origin", [chunk]


def test_a_commit_on_one_host_is_seen_by_another_under_a_new_version(database_url: str) -> None:
    host_a, host_b = Manifest(database_url, "kb-one"), Manifest(database_url, "kb-one")
    other = Manifest(database_url, "kb-two")
    try:
        before = host_b.version()
        host_a.mark_pending(["gift-cards"])
        assert host_b.pending() == ["gift-cards"]
        host_a.commit([_doc("gift-cards", "Gift cards never expire.")])
        assert host_b.version() != before
        assert host_b.pending() == []
        assert [c.chunk_id for c in host_b.chunks()] == ["gift-cards#0"]
        assert host_b.chunks()[0].metadata == {"entity": ""}
        assert host_b.counts() == (1, 1) and other.counts() == (0, 0)

        host_b.forget(["gift-cards"], lost=True)
        assert host_a.counts() == (0, 0)
        assert [doc.doc_id for doc in host_a.lost()] == ["gift-cards"]
        host_a.commit([_doc("gift-cards", "Gift cards never expire.")])  # ingested again: no longer lost
        assert host_b.lost() == [] and host_b.hashes() == {"gift-cards": "hash-Gift cards never expire."}
    finally:
        for manifest in (host_a, host_b, other):
            manifest.close()


def test_only_old_pending_marks_count_as_abandoned(database_url: str) -> None:
    manifest = Manifest(database_url, "kb-pending")
    try:
        manifest.mark_pending(["a", "a", "b"])
        assert manifest.pending() == ["a", "b"]
        assert manifest.pending(older_than=timedelta(minutes=15)) == []
        assert manifest.pending(older_than=timedelta(seconds=-5)) == ["a", "b"]
    finally:
        manifest.close()


def test_the_manifest_is_shared_only_when_the_vectors_are(tmp_path: Path) -> None:
    file = tmp_path / "kb.manifest.sqlite3"
    postgres = "postgresql+psycopg://u@db/support"
    assert manifest_url(file, postgres, shared_vectors=True) == postgres
    assert manifest_url(file, postgres, shared_vectors=False) == f"sqlite:///{file.resolve()}"
    assert manifest_url(file, None, shared_vectors=True) == f"sqlite:///{file.resolve()}"


def test_a_manifest_file_of_the_old_layout_keeps_its_documents(tmp_path: Path) -> None:
    path = tmp_path / "old.manifest.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(
            """
            CREATE TABLE documents (doc_id TEXT PRIMARY KEY, title TEXT, source TEXT, origin TEXT,
                content_hash TEXT, chunks INTEGER, updated_at TEXT);
            CREATE TABLE chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT, position INTEGER, title TEXT,
                section TEXT, text TEXT, index_text TEXT, source TEXT, metadata TEXT);
            CREATE TABLE pending (doc_id TEXT PRIMARY KEY);
            CREATE TABLE lost (doc_id TEXT PRIMARY KEY, title TEXT, origin TEXT, lost_at TEXT);
            INSERT INTO documents VALUES ('faq', 'FAQ', 'faq.md', '/kb', 'h1', 1, '2026-01-01');
            INSERT INTO chunks VALUES ('faq#0', 'faq', 0, 'FAQ', '', 'Hi', 'Hi', 'faq.md', '{}');
            INSERT INTO pending VALUES ('half-done');
            """
        )
    manifest = Manifest(f"sqlite:///{path}", "kb-old")
    try:
        assert manifest.hashes() == {"faq": "h1"}
        assert [c.chunk_id for c in manifest.chunks()] == ["faq#0"]
        assert manifest.pending() == ["half-done"]
    finally:
        manifest.close()
    reopened = Manifest(f"sqlite:///{path}", "kb-old")  # copied once, not again
    try:
        assert reopened.counts() == (1, 1)
    finally:
        reopened.close()
