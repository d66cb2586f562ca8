"""The answer-unit warm-up: every sentence the offline model may rank is embedded ahead of time into
the persistent cache, a restart reuses it, new chunks alone are warmed, and a turn then encodes none."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from app.agent.providers.offline.answer import split_units
from app.knowledge.base import KnowledgeBase
from app.knowledge.embedders import Embedder
from app.knowledge.embedding_cache import text_hash
from app.knowledge.warmup import warm_answer_units

WAIT_S = 120


class CountingEmbedder(Embedder):
    """The real model, recording every passage it is asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.documents: list[str] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.documents.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture
def open_kb(settings, embedder):
    """Knowledge bases over the test's data folder, each with its own counting model (a process)."""
    opened: list[KnowledgeBase] = []

    def make() -> tuple[KnowledgeBase, CountingEmbedder]:
        counting = CountingEmbedder(embedder)
        opened.append(KnowledgeBase.from_settings(settings, embedder=counting))
        return opened[-1], counting

    yield make
    for kb in opened:
        kb.close()


def _units(kb: KnowledgeBase) -> list[str]:
    return list(dict.fromkeys(unit for chunk in kb.catalog().chunks for unit in split_units(chunk.text)))


def test_warm_up_fills_the_cache_with_the_models_vectors(open_kb, corpus_dir: Path, embedder) -> None:
    kb, counting = open_kb()
    kb.ingest_path(corpus_dir)
    counting.documents.clear()
    warmer = warm_answer_units(kb, split_units)
    assert warmer.wait(WAIT_S)
    units = _units(kb)
    assert len(units) > len(kb.catalog().chunks)
    assert sorted(counting.documents) == sorted(units), "each unit embedded once"
    stored = kb.cache.get(embedder.name, [text_hash(unit) for unit in units])
    assert len(stored) == len(units)
    vectors = np.stack([stored[text_hash(unit)] for unit in units])
    assert np.allclose(vectors, embedder.embed_documents(units), atol=1e-5)
    assert (warmer.encoded, warmer.passes) == (len(units), 1)


def test_a_restart_reuses_the_vectors_and_new_chunks_alone_are_warmed(open_kb, corpus_dir: Path) -> None:
    first, _ = open_kb()
    first.ingest_path(corpus_dir)
    assert warm_answer_units(first, split_units).wait(WAIT_S)
    units = _units(first)
    first.close()

    second, counting = open_kb()
    warmer = warm_answer_units(second, split_units)
    assert warmer.wait(WAIT_S)
    assert counting.documents == [] and (warmer.found, warmer.encoded) == (len(units), 0)

    (corpus_dir / "billing" / "invoices.md").write_text(
        "# Invoices\n\nInvoices are emailed after each payment. You can download older invoices "
        "from the Orders page.",
        encoding="utf-8",
    )
    second.ingest_path(corpus_dir)  # the app asked for warm units: this ingestion warms its chunks
    assert warmer.wait(WAIT_S)
    new = [chunk for chunk in second.catalog().chunks if chunk.doc_id == "billing/invoices"]
    new_units = {unit for chunk in new for unit in split_units(chunk.text)}
    assert set(counting.documents) == {chunk.index_text for chunk in new} | new_units
    assert warmer.found == len(units), "chunks warmed before are not looked at again"


def test_a_turn_after_the_warm_up_encodes_no_sentence(settings, open_kb, corpus_dir: Path) -> None:
    from app.agent.desk import SupportDesk

    kb, counting = open_kb()
    kb.ingest_path(corpus_dir)
    desk = SupportDesk.from_settings(settings, kb=kb)
    try:
        warmer = desk.warm_answer_units()
        assert warmer is not None and warmer.wait(WAIT_S)
        counting.documents.clear()
        conversation = desk.start_conversation("c-1")
        result = asyncio.run(desk.reply(conversation, "How long do refunds take?"))
    finally:
        desk.close()
    assert result.searched and result.retrieved
    assert kb.cached_embedder.misses > 0, "the in-memory cache was cold: the units came from disk"
    assert counting.documents == []
