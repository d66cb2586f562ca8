"""Retrieval on a small corpus with known answers, in every mode, with filters and dialogue context."""

from __future__ import annotations

import pytest

from app.errors import InputError
from app.knowledge import KnowledgeBase, SourceDocument

QUESTIONS = [
    ("How many working days until refunds are issued?", "billing/refunds"),
    ("How much does the Premium plan cost per month?", "billing/plans"),
    ("I forgot my password, how do I get a new one?", "account/password"),
    ("Who pays customs duties on delivery abroad?", "shipping/international"),
]


@pytest.fixture(scope="module")
def make_kb(tmp_path_factory, embedder):
    """Read-only tests share one data folder per module: the corpora are ingested once."""
    from app.settings import load_settings

    root = tmp_path_factory.mktemp("retrieval")
    base = load_settings(data_dir=root / "data", environment="test")
    built = []

    def make(collection: str | None = None, **overrides):
        kb = KnowledgeBase.from_settings(
            base.model_copy(update=overrides), collection=collection, embedder=embedder
        )
        built.append(kb)
        return kb

    make.root = root
    yield make
    for kb in built:
        kb.close()


@pytest.fixture(scope="module")
def small_kb(make_kb, write_corpus) -> KnowledgeBase:
    kb = make_kb()
    kb.ingest_path(write_corpus(make_kb.root / "kb"))
    return kb


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_each_mode_finds_the_known_answer(small_kb: KnowledgeBase, mode: str) -> None:
    for question, doc_id in QUESTIONS:
        hits = small_kb.search(question, k=3, mode=mode)
        assert hits, (mode, question)
        assert hits[0].doc_id == doc_id, (mode, question, [h.doc_id for h in hits])
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert hits == sorted(hits, key=lambda h: -h.score)


def test_hits_carry_section_title_source_and_raw_text(small_kb: KnowledgeBase) -> None:
    hit = small_kb.search("partial refund when only some items are returned", k=1, mode="hybrid")[0]
    assert (hit.chunk_id, hit.section, hit.title) == ("billing/refunds#1", "Partial refunds", "Refunds")
    assert hit.text.startswith("A partial refund applies")
    assert hit.source.endswith("refunds.md")
    assert 0 < hit.score <= 1


def test_filters_apply_to_every_mode(small_kb: KnowledgeBase) -> None:
    for mode in ("dense", "bm25", "hybrid"):
        hits = small_kb.search(
            "account password delete refund", k=5, mode=mode, filters={"category": "account"}
        )
        assert hits and {h.doc_id for h in hits} <= {"account/password", "account/delete"}, mode
        in_list = small_kb.search(
            "price", k=5, mode=mode, filters={"category": {"$in": ["billing", "shipping"]}}
        )
        assert {h.metadata.get("category") for h in in_list} <= {"billing", "shipping"}
    with pytest.raises(InputError, match="unknown filter operator"):
        small_kb.search("x", filters={"category": {"$like": "b"}})


def test_k_min_score_unique_docs_and_mmr(small_kb: KnowledgeBase, make_kb) -> None:
    assert len(small_kb.search("refund", k=2)) == 2
    strict = make_kb(min_score=0.99)
    assert strict.search("completely unrelated astronomy question", mode="dense") == []
    unique = small_kb.search("refunds partial refund", k=5, mode="bm25", unique_docs=True)
    assert len({h.doc_id for h in unique}) == len(unique)
    diverse = make_kb(mmr=True, mmr_lambda=0.5).search("refund", k=3)
    assert len(diverse) == 3 and len({h.chunk_id for h in diverse}) == 3


def test_context_extends_the_query(small_kb: KnowledgeBase) -> None:
    hits = small_kb.search("and how long is it valid?", k=1, context=["I need to reset my password"])
    assert hits[0].doc_id == "account/password"
    with pytest.raises(InputError, match="unknown retrieval mode"):
        small_kb.search("x", mode="fuzzy")


def test_long_requests_are_read_to_the_end_by_dense_search(small_kb: KnowledgeBase) -> None:
    """The embedding model truncates; a question after a long preamble must still be found."""
    preamble = " ".join(
        f"I have been a loyal member of your community for {n} years and I love telling friends about it."
        for n in range(2, 22)
    )
    assert len(preamble) > 1500
    hits = small_kb.search(f"{preamble} How much does the Premium plan cost per month?", k=1, mode="dense")
    assert hits[0].doc_id == "billing/plans"


def test_get_chunk_and_empty_queries(small_kb: KnowledgeBase, make_kb) -> None:
    assert small_kb.get_chunk("billing/plans#0").doc_id == "billing/plans"
    assert small_kb.get_chunk("missing#0") is None
    assert small_kb.search("   ") == []
    assert make_kb(collection="empty").search("anything") == []


HOTELS = {
    "Acorn Guest House": ["Free parking is available on site.", "The bathrooms were spotless."],
    "Hobsons House": ["Parking costs 10 pounds a night.", "Our bathroom was dirty and small."],
    "Alpha-Milton Guest House": ["There is no parking at all.", "Bathrooms are shared."],
}


@pytest.fixture(scope="module")
def hotel_kb(make_kb) -> KnowledgeBase:
    kb = make_kb(collection="hotels")
    docs = [
        SourceDocument(f"hotel:{h}:{i}", name, text, "test", {"entity": name, "domain": "hotel"})
        for h, (name, texts) in enumerate(HOTELS.items())
        for i, text in enumerate(texts)
    ]
    docs.append(SourceDocument("general:pets", "Pets", "Pets are welcome in every hotel for a fee.", "test"))
    kb.ingest_documents(docs)
    return kb


def test_entity_tracking_focuses_on_the_entity_named_earlier(hotel_kb: KnowledgeBase) -> None:
    context = ["I'd like a guesthouse in the north.", "How about the Acorn Guest House?", "Sounds good."]
    for mode in ("dense", "bm25", "hybrid"):
        hits = hotel_kb.search("Are the bathrooms clean?", k=5, mode=mode, context=context)
        assert {h.metadata.get("entity") for h in hits} <= {"Acorn Guest House", None}, mode
        assert hits[0].metadata["entity"] == "Acorn Guest House"
    switched = hotel_kb.search("what about parking at hobsons house?", k=2, context=context)
    assert switched[0].metadata["entity"] == "Hobsons House"
    general = hotel_kb.search("Can I bring my dog?", k=5, context=context)
    assert "general:pets" in {h.doc_id for h in general}  # documents about no entity stay searchable


def test_entity_tracking_can_be_switched_off_and_is_inert_without_entities(
    hotel_kb: KnowledgeBase, make_kb, small_kb: KnowledgeBase
) -> None:
    context = ["Tell me about the acorn guest house"]
    off = make_kb(collection="hotels", entity_tracking=False)
    hits = off.search("is there parking?", k=6, mode="bm25", context=context)
    assert len({h.metadata.get("entity") for h in hits}) > 1
    plain = small_kb.search("refund", k=3)
    assert small_kb.search("refund", k=3, context=[]) == plain


def test_the_query_grows_from_the_customers_turns_while_the_entity_comes_from_all(
    small_kb: KnowledgeBase, hotel_kb: KnowledgeBase
) -> None:
    dialogue = ["How long do refunds take?", "The Plus plan costs $12 per month and includes free delivery."]
    customer = ["How long do refunds take?"]
    hits = small_kb.search("and a partial one?", k=2, mode="bm25", context=dialogue, query_context=customer)
    assert hits[0].doc_id == "billing/refunds"
    assert "billing/plans" not in {h.doc_id for h in hits}  # the agent's reply no longer steers the query
    named_by_agent = ["I need a guesthouse.", "How about the Acorn Guest House?"]
    focused = hotel_kb.search(
        "is parking free?", k=2, context=named_by_agent, query_context=named_by_agent[:1]
    )
    assert focused[0].metadata["entity"] == "Acorn Guest House"


def test_dense_search_embeds_the_turns_one_by_one_and_averages_them(small_kb: KnowledgeBase, make_kb) -> None:
    """A follow-up's dense query is the weighted mean of its turns' embeddings (query.query_parts),
    so a long earlier turn cannot outweigh the message; ranking by that vector is what search does."""
    import numpy as np

    customer = ["How do I close my account?", "I pay for the Plus plan every month, with free delivery."]
    message = "what happens to my order history after that?"
    hits = small_kb.search(message, k=3, mode="dense", query_context=customer)
    assert hits[0].doc_id == "account/delete"
    weight = small_kb.settings.query_context_weight
    parts = [(1.0, message), (weight, customer[1]), (weight, customer[0])]
    total = sum(w * np.asarray(small_kb.embedder.embed_query(text)) for w, text in parts)
    expected = small_kb.store.query(total / np.linalg.norm(total), 3, None)
    assert [hit.chunk_id for hit in hits] == [chunk_id for chunk_id, _ in expected]
    assert [hit.score for hit in hits] == pytest.approx([score for _, score in expected], abs=1e-5)
    joined = make_kb(query_context_weight=0.0).search(message, k=3, mode="dense", query_context=customer)
    vector = small_kb.embedder.embed_query("\n".join([message, *reversed(customer)]))  # weight 0: joined
    assert [hit.chunk_id for hit in joined] == [
        chunk_id for chunk_id, _ in small_kb.store.query(vector, 3, None)
    ]


def test_document_results_fuse_each_documents_best_chunk_rank(make_kb) -> None:
    """Hybrid search at document level (real MiniLM, Chroma, BM25): a document scores by the ranks
    of its best chunks among each list's chunks (fusion.fuse_documents), and appears once."""
    from app.knowledge.fusion import fuse_documents
    from app.knowledge.rankers import Query, build_rankers
    from app.knowledge.retrieval import DOC_POOL

    sections = "\n\n".join(
        f"## Fee rule {n}\n\nThe annual card fee of the Gold card is waived in case {n} of our fee policy."
        for n in range(8)
    )
    docs = [
        SourceDocument("cards/gold-fees", "Gold card fees", f"# Gold card fees\n\n{sections}", "gold.md"),
        SourceDocument(
            "cards/silver", "Silver card", "# Silver card\n\nThe Silver card has no annual fee.", "s.md"
        ),
        SourceDocument(
            "loans/rates", "Loan rates", "# Loan rates\n\nPersonal loans start at 6% a year.", "l.md"
        ),
    ]
    kb = make_kb("fusion", chunk_size=200, chunk_overlap=0)
    kb.ingest_documents(docs)
    query = "Is the annual fee of the Gold card waived?"
    hits = kb.search(query, k=3, unique_docs=True, mode="hybrid")
    assert len(hits) == len({hit.doc_id for hit in hits}) == 3
    assert hits[0].doc_id == "cards/gold-fees"

    catalog, retriever = kb.catalog(), kb.retriever()
    assert sum(chunk.doc_id == "cards/gold-fees" for chunk in catalog.chunks) > 3  # many chunks, one hit
    rankers = build_rankers(kb.settings, kb.store, retriever.embed_query)
    asked = Query(catalog, query, None, 3 * DOC_POOL, per_doc=True)

    def with_docs(ranked: list[tuple[str, float]]) -> list[tuple[str, str]]:
        return [(cid, catalog.chunks[catalog.rows[cid]].doc_id) for cid, _ in ranked]

    lists = [(1.0, with_docs(rankers[mode].rank(asked))) for mode in ("dense", "bm25")]
    expected = fuse_documents(lists, k=kb.settings.rrf_k)
    assert [hit.chunk_id for hit in hits] == [chunk_id for chunk_id, _ in expected[:3]]
    assert [hit.score for hit in hits] == pytest.approx([score for _, score in expected[:3]])
    assert hits[1].score < 1 - 1e-6  # the Silver card's one chunk trails Gold fee chunks in a list


def test_a_knowledge_base_says_whether_it_names_entities(
    hotel_kb: KnowledgeBase, small_kb: KnowledgeBase
) -> None:
    """Hotels are things one books; a shop's help centre names none (the offline router reads no
    booking there)."""
    assert hotel_kb.names_entities()
    assert not small_kb.names_entities()


def test_passages_by_document_name_distinct_documents_in_document_order(make_kb) -> None:
    """With settings.passages_by_document, a chunk search (the agent's passages) shows the
    documents a document-level search ranks, in its order, instead of several chunks of one long
    article that crowd out the article that answers."""
    sections = "\n\n".join(
        f"## Window rule {n}\n\nA return of a speaker is accepted within the window in case {n}."
        for n in range(6)
    )
    docs = [
        SourceDocument("returns/rules", "Return rules", f"# Return rules\n\n{sections}", "r.md"),
        SourceDocument(
            "returns/window", "Return window", "# Return window\n\nReturn a speaker in 30 days.", "w.md"
        ),
        SourceDocument(
            "orders/limits", "Order limits", "# Order limits\n\nAt most 5 speakers per order.", "o.md"
        ),
    ]
    plain = make_kb("passages", chunk_size=200, chunk_overlap=0, passages_by_document=False)
    plain.ingest_documents(docs)
    query = "can I return a speaker after the window"
    assert len({hit.doc_id for hit in plain.search(query, k=3)}) < 3  # one article's chunks crowd in

    grouped = make_kb("passages", chunk_size=200, chunk_overlap=0, passages_by_document=True)
    hits = grouped.search(query, k=3)
    assert len({hit.doc_id for hit in hits}) == 3
    assert [hit.chunk_id for hit in hits] == [
        hit.chunk_id for hit in grouped.search(query, k=3, unique_docs=True)
    ]
