"""The pure parts of retrieval: query construction, filters, fusion, entity names."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import InputError
from app.knowledge.entities import EntityMatcher, normalise
from app.knowledge.filters import combine, matches, validate
from app.knowledge.focus import focus
from app.knowledge.fusion import fuse_documents, mmr, reciprocal_rank_fusion
from app.knowledge.lexical import LexicalIndex, tokenize
from app.knowledge.query import build_query, query_parts

TURNS = ["I want a hotel in the north", "The Acorn Guest House is there.", "Is there parking?"]


def test_build_query_strategies() -> None:
    assert build_query(TURNS, strategy="last_turn") == "Is there parking?"
    assert build_query(TURNS, context_turns=1) == "Is there parking?\nThe Acorn Guest House is there."
    assert build_query(TURNS, context_turns=5).splitlines() == list(reversed(TURNS))
    assert build_query(TURNS, context_turns=0) == "Is there parking?"
    assert build_query([]) == ""
    with pytest.raises(InputError):
        build_query(TURNS, strategy="everything")


def test_query_parts_weigh_the_message_highest_and_keep_the_joined_turns() -> None:
    parts = query_parts(TURNS, context_turns=2, context_weight=0.8)
    assert parts == ((1.0, "Is there parking?"), (0.8, "The Acorn Guest House is there."), (0.8, TURNS[0]))
    assert [text for _, text in parts] == build_query(TURNS, context_turns=2).splitlines()
    assert query_parts(TURNS, strategy="last_turn") == ((1.0, "Is there parking?"),)
    assert query_parts(TURNS, context_weight=0.0) == ((1.0, "Is there parking?"),)
    assert query_parts([" ", "", "  Is there parking? "], context_turns=3) == ((1.0, "Is there parking?"),)
    assert query_parts([]) == ()
    with pytest.raises(InputError):
        query_parts(TURNS, strategy="everything")


def test_filters_follow_chroma_semantics() -> None:
    meta = {"category": "billing", "tier": 2, "entity": ""}
    assert matches({"category": "billing"}, meta)
    assert matches({"tier": {"$gte": 2, "$lt": 3}}, meta)
    assert not matches({"$or": [{"category": "account"}, {"tier": {"$gt": 5}}]}, meta)
    assert matches({"$and": [{"category": {"$in": ["billing"]}}, {"tier": {"$ne": 1}}]}, meta)
    assert not matches({"missing": {"$gt": 1}}, meta)
    assert combine({"a": 1, "b": 2}, None, {"c": 3}) == {"$and": [{"a": 1}, {"b": 2}, {"c": 3}]}
    assert combine(None, {"a": 1}) == {"a": 1}
    for bad in ({"$xor": []}, {"a": {"$in": "x"}}, {"$and": "x"}):
        with pytest.raises(InputError):
            validate(bad)


def test_rrf_rewards_agreement_and_scales_to_one() -> None:
    fused = dict(reciprocal_rank_fusion([(1.0, ["a", "b", "c"]), (1.0, ["b", "a", "d"])], k=60))
    assert fused["a"] == fused["b"] and fused["a"] > fused["c"] > 0
    top = reciprocal_rank_fusion([(1.0, ["x"]), (2.0, ["x"])], k=10)
    assert top == [("x", pytest.approx(1.0))]
    weighted = dict(reciprocal_rank_fusion([(0.0, ["a"]), (1.0, ["b"])], k=60))
    assert weighted["b"] > weighted["a"] == 0


def test_mmr_skips_near_duplicates() -> None:
    vectors = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert mmr(vectors, [1.0, 0.99, 0.5], k=2, lam=0.5) == [0, 2]
    assert mmr(vectors, [1.0, 0.99, 0.5], k=2, lam=1.0) == [0, 1]


def test_entity_names_match_after_normalisation() -> None:
    matcher = EntityMatcher(
        ["ACORN GUEST HOUSE", "Pizza Hut", "Pizza Hut City Centre", "The Copper Kettle", "A & B"]
    )
    assert normalise("  Café—Noir's ") == "cafe noirs"
    assert matcher.last_named(["is it near the acorn guest house?"]) == "ACORN GUEST HOUSE"
    assert matcher.last_named(["Pizza Hut City Centre please"]) == "Pizza Hut City Centre"
    assert matcher.last_named(["copper kettle or pizza hut?"]) == "Pizza Hut"  # the last one named
    assert matcher.last_named(["is it clean?", "I like A and B"]) == "A & B"  # newest turn naming one
    assert matcher.last_named(["is that a pizza hutch?"]) is None  # names end at word boundaries
    assert matcher.last_named(["acornguest house"]) == "ACORN GUEST HOUSE"  # said loosely: entities.py
    assert not EntityMatcher([])


def test_tokenize_drops_function_words_but_keeps_question_words() -> None:
    request = "Could you tell me why there was no refund of my Gold Rewards Card fee?"
    assert tokenize(request) == ["tell", "why", "refund", "gold", "rewards", "card", "fee"]


def test_document_fusion_adds_up_a_documents_different_best_chunks() -> None:
    dense = [("b#0", "b"), ("a#1", "a"), ("e#0", "e")]
    lexical = [("c#0", "c"), ("a#0", "a"), ("d#0", "d")]
    fused = fuse_documents([(1.0, dense), (1.0, lexical)], k=60)
    assert [chunk for chunk, _ in fused][:3] == ["a#1", "b#0", "c#0"]  # a: second in both lists
    chunk_level = reciprocal_rank_fusion([(1.0, [c for c, _ in dense]), (1.0, [c for c, _ in lexical])], k=60)
    assert {chunk for chunk, _ in chunk_level[:2]} == {"b#0", "c#0"}  # chunk level: a never adds up
    assert fused[0][1] > fused[1][1] > 0


def test_document_fusion_scores_a_document_by_its_best_chunks_rank_among_chunks() -> None:
    """y is the second document of the dense list but its fifth chunk: four chunks of a come first.
    Ranked among documents, y (second, then third) would beat x (first in one list only)."""
    dense = [("a#0", "a"), ("a#1", "a"), ("a#2", "a"), ("a#3", "a"), ("y#0", "y")]
    lexical = [("x#0", "x"), ("a#4", "a"), ("y#1", "y")]
    fused = fuse_documents([(1.0, dense), (1.0, lexical)], k=1)
    assert [chunk for chunk, _ in fused] == ["a#0", "x#0", "y#1"]  # y named by its best-ranked chunk
    scores = dict(fused)
    assert scores["a#0"] == pytest.approx((1 / 2 + 1 / 3) / 1.0)  # first and second: (k + 1) scaling
    assert scores["y#1"] == pytest.approx((1 / 6 + 1 / 4) / 1.0)
    summed = dict(fuse_documents([(1.0, dense), (1.0, lexical)], k=1, chunks_per_doc=2))
    assert summed["a#0"] == pytest.approx((1 / 2 + 1 / 3 + 1 / 3 + 0) / 1.0)  # a's best two dense chunks
    assert fuse_documents([(0.0, dense)], k=60) == []


def test_focus_keeps_the_most_answerable_sentences_in_order() -> None:
    name, fee, why = "My name is Sam.", "The card fee is high.", "Why was the fee charged?"
    story = [name] * 30 + [fee, name, why]
    scores = {fee: 9.0, name: 0.5, why: 6.0}
    text = " ".join(story)

    def best(sentences: list[str]) -> np.ndarray:
        return np.array([scores[s] for s in sentences], dtype=np.float32)

    assert focus("short question?", budget=50, best_scores=best) == "short question?"
    focused = focus(text, budget=60, best_scores=best)
    assert focused == "The card fee is high. Why was the fee charged?"
    assert len(focus(text, budget=200, best_scores=best)) <= 200


def test_best_scores_equal_the_best_row_of_a_search() -> None:
    index = LexicalIndex.build(
        ["refund card fee", "card replacement lost stolen", "savings interest rate", "fee fee refund"]
    )
    texts = ["Why was a fee charged on my card?", "lost card", "weather in Paris", ""]
    best = index.best_scores(texts)
    expected = [float(index.scores(text).max()) for text in texts]
    assert best.tolist() == pytest.approx(expected, rel=1e-5)
    assert best[0] > 0 and best[1] > 0 and best[2] == 0 and best[3] == 0
    assert LexicalIndex.build([]).best_scores(["anything"]).tolist() == [0.0]
    only_savings = index.best_scores(texts, rows=np.array([2]))
    assert only_savings.tolist() == [0.0, 0.0, 0.0, 0.0]  # no word of theirs is in row 2
    lost = index.best_scores(["lost card"], rows=np.array([1, 3]))
    assert lost[0] == pytest.approx(float(index.scores("lost card")[1]), rel=1e-5)
