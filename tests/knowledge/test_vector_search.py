"""Chroma's HNSW search weighs settings.hnsw_ef_search candidates (real embedded Chroma).

At Chroma's default of 100 the demo's dense rankings differed from one process to the next; the
setting must reach collections created before it changed, since Chroma keeps a collection's own.
"""

from __future__ import annotations

from app.knowledge import KnowledgeBase


def _ef_search(kb: KnowledgeBase) -> int:
    return kb.store.collection.configuration_json["hnsw"]["ef_search"]


def test_the_search_breadth_reaches_new_and_existing_collections(make_kb, corpus_dir) -> None:
    created: KnowledgeBase = make_kb("breadth", hnsw_ef_search=40)
    created.ingest_path(corpus_dir)
    assert _ef_search(created) == 40

    reopened: KnowledgeBase = make_kb("breadth", hnsw_ef_search=700)
    assert _ef_search(reopened) == 700
    assert reopened.search("How much does the Premium plan cost per month?", k=1)[0].doc_id == "billing/plans"
