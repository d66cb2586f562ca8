"""Knowledge selection: the tracked entity's snippets kept as a calibrated set (real MiniLM, real Chroma)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.errors import InputError
from app.knowledge import KnowledgeBase
from app.knowledge.documents import SourceDocument
from app.knowledge.selection import FEATURES, SelectionModel, meaning_products, select, snippet_features
from app.settings import Settings

HOTEL = "Acorn Guest House"
REVIEWS = [
    "The breakfast was delicious, with fresh eggs and homemade bread.",
    "Breakfast was cold and the coffee tasted burnt.",
    "We loved the breakfast buffet, especially the pastries.",
    "The room was small but the bed was comfortable.",
    "Parking was easy and free.",
    "The staff at reception were friendly and helpful.",
    "Our bathroom was spotless.",
]
FAQS = [
    "Does Acorn Guest House allow pets?\n\nYes, pets are welcome for a small fee.",
    "What time is check-out?\n\nCheck-out is at 11 am.",
]


@pytest.fixture
def guest_house(make_kb) -> KnowledgeBase:
    kb = make_kb(collection="selection")
    docs = [
        SourceDocument(f"hotel:1:review:0:{i}", HOTEL, text, "test", {"entity": HOTEL, "doc_type": "review"})
        for i, text in enumerate(REVIEWS)
    ]
    docs += [
        SourceDocument(f"hotel:1:faq:{i}", HOTEL, text, "test", {"entity": HOTEL, "doc_type": "faq"})
        for i, text in enumerate(FAQS)
    ]
    docs.append(
        SourceDocument(
            "hotel:2:review:0:0",
            "Hobsons House",
            "Breakfast at Hobsons was superb.",
            "test",
            {"entity": "Hobsons House", "doc_type": "review"},
        )
    )
    kb.ingest_documents(docs)
    return kb


CONTEXT = ["I need a guesthouse in the north.", "How about the Acorn Guest House?"]


def test_a_review_question_selects_every_sentence_on_that_aspect(guest_house: KnowledgeBase) -> None:
    selected = guest_house.select_snippets("What do guests say about the breakfast?", CONTEXT)
    ids = {hit.doc_id for hit in selected}
    assert {"hotel:1:review:0:0", "hotel:1:review:0:1", "hotel:1:review:0:2"} <= ids
    assert "hotel:2:review:0:0" not in ids  # another hotel's breakfast
    assert not ids & {"hotel:1:review:0:4", "hotel:1:review:0:5", "hotel:1:faq:1"}
    scores = [hit.score for hit in selected]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_a_narrow_question_selects_few_and_search_puts_the_set_first(guest_house: KnowledgeBase) -> None:
    selected = guest_house.select_snippets("Can I bring my dog?", CONTEXT)
    assert 1 <= len(selected) <= 3  # not a top-k: no padding with the other reviews
    hits = guest_house.search("Can I bring my dog?", k=5, context=CONTEXT)
    marked = [hit for hit in hits if hit.metadata.get("selected")]
    assert [hit.doc_id for hit in marked] == [hit.doc_id for hit in selected]
    assert hits[: len(marked)] == [h for h in hits if h.metadata.get("selected")]
    assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))


def test_no_entity_no_selection_and_it_can_be_switched_off(guest_house: KnowledgeBase, make_kb) -> None:
    assert guest_house.select_snippets("What do guests say about the breakfast?") == []
    assert guest_house.tracked_entity("and the breakfast?", CONTEXT) == HOTEL
    off = make_kb(collection="selection", knowledge_selection=False)
    hits = off.search("What do guests say about the breakfast?", k=5, context=CONTEXT)
    assert hits and not any(hit.metadata.get("selected") for hit in hits)


def test_a_question_about_both_options_just_offered_selects_from_each(guest_house: KnowledgeBase) -> None:
    offered = ["I need a guesthouse.", "There is the Acorn Guest House and Hobsons House. Any preference?"]
    selected = guest_house.select_snippets("Do they serve a good breakfast?", offered)
    ids = [hit.doc_id for hit in selected]
    assert "hotel:2:review:0:0" in ids  # Hobsons House's breakfast
    assert {"hotel:1:review:0:0", "hotel:1:review:0:2"} <= set(ids)  # and the Acorn's
    assert [hit.rank for hit in selected] == list(range(1, len(selected) + 1))
    hits = guest_house.search("Do they serve a good breakfast?", k=5, context=offered)
    assert [hit.doc_id for hit in hits if hit.metadata.get("selected")] == ids
    # search and select_snippets ask the same retriever step which entities the question is about
    retriever, catalog = guest_house.retriever(), guest_house.catalog()
    both = retriever.discussed_entities(catalog, "Do they serve a good breakfast?", offered, HOTEL)
    assert both == [HOTEL, "Hobsons House"]
    assert retriever.discussed_entities(catalog, "Is it quiet?", [], HOTEL) == [HOTEL]  # names none
    # naming one of them keeps the selection to that one
    one = guest_house.select_snippets("Does Hobsons House serve a good breakfast?", offered)
    assert {hit.doc_id for hit in one} == {"hotel:2:review:0:0"}


def test_features_compare_each_snippet_within_its_kind() -> None:
    features = snippet_features(
        "is the breakfast good",
        np.array([0.9, 0.5, 0.7]),
        ["review", "faq", "review"],
        ["Breakfast was good.", "Parking is free.", "Rooms were clean."],
    )
    assert features.shape == (3, len(FEATURES))
    column = dict(zip(FEATURES, features.T, strict=True))
    assert column["gap_to_best"].tolist() == pytest.approx([0.0, -0.4, -0.2])
    assert column["gap_to_best_of_kind"].tolist() == pytest.approx([0.0, 0.0, -0.2])
    assert column["log_rank_in_kind"].tolist() == pytest.approx([0.0, 0.0, np.log(2)])
    assert column["overlap"].tolist() == pytest.approx([1.0, 0.0, 0.0])  # "breakfast", "good" found


def test_select_keeps_at_least_the_best_and_respects_threshold_and_cap() -> None:
    model = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.6, max_selected=2)
    features = np.zeros((4, len(FEATURES)))
    features[:, 0] = [2.0, -3.0, 1.0, 0.5]  # probabilities 0.88, 0.05, 0.73, 0.62
    assert [i for i, _ in select(features, model)] == [0, 2]
    low = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.99)
    assert [i for i, _ in select(features, low)] == [0]
    assert select(np.zeros((0, len(FEATURES))), model) == []


def test_faqs_may_have_their_own_threshold() -> None:
    features = np.zeros((3, len(FEATURES)))
    features[:, 0] = [2.0, 1.0, 0.5]  # probabilities 0.88, 0.73, 0.62
    features[:, FEATURES.index("review")] = [1.0, 0.0, 1.0]  # a review, an FAQ, a review
    shared = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.8)
    assert [i for i, _ in select(features, shared)] == [0]
    own = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.8, faq_threshold=0.7)
    assert [i for i, _ in select(features, own)] == [0, 1]  # the FAQ passes its own, lower threshold
    assert SelectionModel.from_dict(own.to_dict()) == own


def test_the_packaged_model_loads_and_a_malformed_one_is_a_clear_error() -> None:
    model = SelectionModel.packaged()
    assert 0 < model.threshold < 1
    assert SelectionModel.from_dict(model.to_dict()) == model
    with pytest.raises(InputError, match="threshold"):
        SelectionModel.from_dict({"coefficients": dict.fromkeys(FEATURES, 1.0), "intercept": 0})


def test_the_runner_up_faq_joins_the_best_only_when_close() -> None:
    features = np.zeros((4, len(FEATURES)))
    features[:, 0] = [2.0, 1.2, 0.0, 3.0]  # probabilities 0.88, 0.77, 0.5, 0.95
    features[3, FEATURES.index("review")] = 1.0  # the most probable is a review sentence
    plain = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.8)
    assert [i for i, _ in select(features, plain)] == [3, 0]
    close = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.8, faq_runner_up=0.85)
    assert [i for i, _ in select(features, close)] == [3, 0, 1]  # 0.77 >= 0.85 * 0.88
    far = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.8, faq_runner_up=0.9)
    assert [i for i, _ in select(features, far)] == [3, 0]
    assert SelectionModel.from_dict(close.to_dict()) == close
    assert SelectionModel.packaged().faq_runner_up is None  # not adopted unless it holds on validation


def test_meaning_weights_add_each_kinds_own_weighted_products() -> None:
    features = np.zeros((2, len(FEATURES)))
    features[0, FEATURES.index("review")] = 1.0  # a review, then an FAQ
    vectors = np.array([[0.6, 0.8], [0.8, 0.6]])
    products = meaning_products(vectors, np.array([1.0, 0.0]))
    assert products.tolist() == [[0.6, 0.0], [0.8, 0.0]]
    model = SelectionModel(
        (0.0,) * len(FEATURES), 0.0, 0.5, embedder="m", review_meaning=(2.0, 5.0), faq_meaning=(-1.0, 5.0)
    )
    logits = np.log(model.probabilities(features, products) / (1 - model.probabilities(features, products)))
    assert logits.tolist() == pytest.approx([2.0 * 0.6, -1.0 * 0.8])  # review weights, FAQ weights
    assert model.probabilities(features).tolist() == [0.5, 0.5]  # without products: the features only
    assert [i for i, _ in select(features, model, products)] == [0]
    assert SelectionModel.from_dict(model.to_dict()) == model


def test_meaning_weights_are_read_only_for_the_embedder_they_were_fitted_on() -> None:
    flat = (0.0,) * len(FEATURES)
    meaning = SelectionModel(flat, 0.0, 0.5, embedder="m", review_meaning=(1.0,), faq_meaning=(1.0,))
    assert meaning.reads_meaning("m", 1)
    assert not meaning.reads_meaning("another-model", 1) and not meaning.reads_meaning("m", 384)
    plain = SelectionModel(flat, 0.0, 0.4, with_meaning=meaning)
    assert not plain.reads_meaning("m", 1)  # none fitted on it
    assert plain.for_vectors("m", 1) is meaning
    assert plain.for_vectors("another-model", 1) is plain and plain.for_vectors("m", 384) is plain
    assert SelectionModel.from_dict(plain.to_dict()) == plain
    with pytest.raises(InputError, match="meaning weights"):
        SelectionModel(flat, 0.0, 0.5, embedder="m", review_meaning=(1.0,), faq_meaning=())
    with pytest.raises(InputError, match="meaning weights"):
        SelectionModel(flat, 0.0, 0.5, review_meaning=(1.0,), faq_meaning=(1.0,))
    default = Settings().embedding_model
    assert SelectionModel.packaged().for_vectors(default, 384).reads_meaning(default, 384)


def test_another_embedders_vectors_are_selected_by_the_features_only_model(guest_house: KnowledgeBase):
    retriever, catalog = guest_house.retriever(), guest_house.catalog()
    question = "What do guests say about the breakfast?"
    chunks, features, products = retriever.candidates(catalog, question, HOTEL, None)
    assert products.shape == (len(chunks), 384)
    packaged = SelectionModel.packaged()
    meaning = packaged.for_vectors(Settings().embedding_model, 384)
    assert meaning is packaged.with_meaning

    def selected_by(model: SelectionModel) -> list[tuple[str, float]]:
        chosen = replace(retriever, selection_model=lambda: model)
        return [(hit.doc_id, hit.score) for hit in chosen.selected(catalog, question, HOTEL, None)]

    def expected(model: SelectionModel, with_products: bool) -> list[tuple[str, float]]:
        chosen = select(features, model, products if with_products else None)
        return [(chunks[i].doc_id, p) for i, p in chosen]

    def same(found: list[tuple[str, float]], wanted: list[tuple[str, float]]) -> bool:
        docs = [doc for doc, _ in found] == [doc for doc, _ in wanted]
        return docs and [p for _, p in found] == pytest.approx([p for _, p in wanted])

    elsewhere = replace(packaged, with_meaning=replace(meaning, embedder="another-model"))
    assert same(selected_by(elsewhere), expected(packaged, False))
    assert same(selected_by(packaged), expected(meaning, True))
    assert not same(expected(meaning, True), expected(packaged, False))


def test_a_cap_on_faqs_keeps_the_most_probable_ones_and_every_review() -> None:
    features = np.zeros((4, len(FEATURES)))
    features[:, 0] = [2.0, 1.5, 1.0, 0.5]  # probabilities 0.88, 0.82, 0.73, 0.62
    features[:, FEATURES.index("review")] = [0.0, 1.0, 0.0, 0.0]  # an FAQ, a review, two FAQs
    free = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.6)
    assert [i for i, _ in select(features, free)] == [0, 1, 2, 3]
    capped = replace(free, max_faqs=1)
    assert [i for i, _ in select(features, capped)] == [0, 1]
    assert SelectionModel.from_dict(capped.to_dict()) == capped


def test_the_faq_cap_frees_places_for_reviews_and_bounds_the_runner_up() -> None:
    features = np.zeros((4, len(FEATURES)))
    features[:, 0] = [2.0, 1.5, 1.0, 0.5]  # probabilities 0.88, 0.82, 0.73, 0.62
    features[:, FEATURES.index("review")] = [0.0, 0.0, 1.0, 1.0]  # two FAQs, two reviews
    two = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.6, max_selected=2, max_faqs=1)
    assert [i for i, _ in select(features, two)] == [0, 2]  # the capped FAQ leaves its place to a review
    alone = np.zeros((3, len(FEATURES)))
    alone[:, 0] = [2.0, 1.5, -3.0]  # the second FAQ (0.82) misses the threshold, within 0.9 of the best
    runner = SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.85, faq_runner_up=0.9)
    assert [i for i, _ in select(alone, runner)] == [0, 1]
    assert [i for i, _ in select(alone, replace(runner, max_faqs=2))] == [0, 1]
    assert [i for i, _ in select(alone, replace(runner, max_faqs=1))] == [0]
    with pytest.raises(InputError, match="max_faqs"):
        SelectionModel((1.0, 0, 0, 0, 0, 0), 0.0, threshold=0.6, max_faqs=0)


def test_meaning_products_of_the_wrong_shape_are_a_clear_error() -> None:
    flat, three = (0.0,) * len(FEATURES), (1.0, 1.0, 1.0)
    model = SelectionModel(flat, 0.0, 0.5, embedder="m", review_meaning=three, faq_meaning=three)
    features = np.zeros((2, len(FEATURES)))
    with pytest.raises(ValueError, match="for_vectors"):
        model.probabilities(features, np.ones((2, 1)))  # would broadcast silently
    with pytest.raises(ValueError, match="3 dimensions"):
        model.probabilities(features, np.ones((2, 384)))
