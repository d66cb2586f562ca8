"""The pure parts of retrieval: query construction, filters, fusion, entity names."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import InputError
from app.knowledge.entities import EntityMatcher, normalise
from app.knowledge.filters import combine, matches, validate
from app.knowledge.fusion import mmr, reciprocal_rank_fusion
from app.knowledge.lexical import tokenize
from app.knowledge.query import build_query

TURNS = ["I want a hotel in the north", "The Acorn Guest House is there.", "Is there parking?"]


def test_build_query_strategies() -> None:
    assert build_query(TURNS, strategy="last_turn") == "Is there parking?"
    assert build_query(TURNS, context_turns=1) == "Is there parking?\nThe Acorn Guest House is there."
    assert build_query(TURNS, context_turns=5).splitlines() == list(reversed(TURNS))
    assert build_query(TURNS, context_turns=0) == "Is there parking?"
    assert build_query([]) == ""
    with pytest.raises(InputError):
        build_query(TURNS, strategy="everything")


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
    assert matcher.last_named(["acornguest house"]) is None
    assert not EntityMatcher([])


def test_tokenize_drops_function_words_but_keeps_question_words() -> None:
    request = "Could you tell me why there was no refund of my Gold Rewards Card fee?"
    assert tokenize(request) == ["tell", "why", "refund", "gold", "rewards", "card", "fee"]
