"""DSTC11 Track 5 scores on a tiny hand-computed set, following the official scorer's rules."""

from __future__ import annotations

import pytest

from app.errors import InputError
from eval.metrics.dstc import match_knowledge, mean_meteor, score_dstc, sentence_meteor, snippet_key


def faq(entity: int, doc: int) -> dict[str, object]:
    return {"domain": "hotel", "entity_id": entity, "doc_type": "faq", "doc_id": doc}


def review(entity: int, doc: int, sent: int) -> dict[str, object]:
    return {"domain": "hotel", "entity_id": entity, "doc_type": "review", "doc_id": doc, "sent_id": sent}


PARKING = "the hotel has free parking"
REFERENCES = [
    {"target": True, "knowledge": [faq(1, 0), review(1, 2, 0), review(1, 2, 1)], "response": PARKING},
    {"target": True, "knowledge": [faq(2, 0)], "response": "yes they allow pets"},
    {"target": False},
    {"target": True, "knowledge": [faq(4, 0)], "response": "it opens at nine"},
    {"target": False},
]
PREDICTIONS = [
    # one repeat (dropped), one wrong sentence of the right review: tp 2, fp 1, fn 1
    {
        "target": True,
        "knowledge": [faq(1, 0), review(1, 2, 0), review(1, 2, 0), review(1, 2, 2)],
        "response": PARKING,
    },
    {"target": True, "knowledge": [faq(2, 0)], "response": "no pets are allowed"},  # exact match
    {"target": True, "knowledge": [faq(3, 0)], "response": "spurious"},  # detection fp, selection fp 1
    {"target": False},  # detection fn, selection fn 1
    {"target": False},  # takes no part
]


def test_official_scores_hand_computed() -> None:
    scores = score_dstc(REFERENCES, PREDICTIONS)
    # detection: tp 2, fp 1, fn 1
    assert scores["dstc/detection/precision"] == pytest.approx(2 / 3)
    assert scores["dstc/detection/recall"] == pytest.approx(2 / 3)
    assert scores["dstc/detection/f1"] == pytest.approx(2 / 3)
    # selection, micro-averaged: tp 3, fp 2, fn 2; exact match in 1 of the 4 instances with knowledge
    assert scores["dstc/selection/precision"] == pytest.approx(3 / 5)
    assert scores["dstc/selection/recall"] == pytest.approx(3 / 5)
    assert scores["dstc/selection/f1"] == pytest.approx(3 / 5)
    assert scores["dstc/selection/em"] == pytest.approx(1 / 4)
    # generation over the 2 detected pairs, each sum S -> P = S/3, R = S/3, F = S/3.
    # ROUGE (stemmed): pair 1 identical; pair 2 shares "pet" and "allow": R1 0.5, R2 0, RL 0.25
    assert scores["dstc/generation/rouge_1"] == pytest.approx((1 + 0.5) / 3)
    assert scores["dstc/generation/rouge_2"] == pytest.approx((1 + 0) / 3)
    assert scores["dstc/generation/rouge_l"] == pytest.approx((1 + 0.25) / 3)
    # corpus BLEU: n-gram matches 6/9, 4/7, 3/5, 2/3, lengths equal (no brevity penalty), times tp 2 / 3
    bleu = (6 / 9 * 4 / 7 * 3 / 5 * 2 / 3) ** 0.25
    assert scores["dstc/generation/bleu"] == pytest.approx(bleu * 2 / 3)
    # METEOR (exact + stem): pair 1 = 1 - 0.5 * (1/5)^3; pair 2: 2 matches in 2 chunks -> 0.5 * (1 - 0.5)
    assert scores["dstc/generation/meteor"] == pytest.approx((0.996 + 0.25) / 2 * 2 / 3)


def test_prefix_is_configurable() -> None:
    scores = score_dstc(REFERENCES[:1], PREDICTIONS[:1], prefix="")
    assert scores["detection/f1"] == 1.0
    assert len(scores) == 12


def test_perfect_predictions_score_one_except_meteor_penalty() -> None:
    scores = score_dstc(REFERENCES, REFERENCES)
    for name in ("detection/f1", "selection/f1", "selection/em", "generation/bleu", "generation/rouge_l"):
        assert scores[f"dstc/{name}"] == pytest.approx(1.0), name


def test_no_instances_and_no_targets_give_zeros() -> None:
    assert set(score_dstc([], []).values()) == {0.0}
    assert set(score_dstc([{"target": False}], [{"target": False}]).values()) == {0.0}


def test_match_knowledge_rules() -> None:
    # faq snippets ignore sent_id; review sentences need it; ids compare as text
    assert match_knowledge([faq(1, 0)], [{**faq(1, 0), "sent_id": 9}]) == (1, 0, 0, True)
    assert match_knowledge([review(1, 2, 0)], [review(1, 2, 1)]) == (0, 1, 1, False)
    assert match_knowledge([faq(1, 0)], [{**faq(1, 0), "entity_id": "1"}]) == (1, 0, 0, True)
    assert match_knowledge([faq(1, 0)], [{**faq(1, 0), "doc_type": "review", "sent_id": 0}])[0] == 0
    # plain string ids (the harness scores document ids this way)
    assert match_knowledge(["billing/plans", "billing/refunds"], ["billing/plans", "billing/plans"]) == (
        1,
        0,
        1,
        False,
    )


def test_malformed_input_is_an_input_error() -> None:
    with pytest.raises(InputError, match="lacks field 'sent_id'"):
        snippet_key({"domain": "hotel", "entity_id": 1, "doc_type": "review", "doc_id": 0})
    with pytest.raises(InputError, match="2 references but 1 predictions"):
        score_dstc([{"target": False}, {"target": False}], [{"target": False}])


def test_meteor_uses_exact_and_stem_matches_only() -> None:
    assert sentence_meteor("The rooms are CLEAN.", "the rooms are clean.") == pytest.approx(
        1 - 0.5 * (1 / 5) ** 3
    )
    # "rooms"/"room" match by stem; a synonym ("tidy" for "clean") does not without WordNet
    assert sentence_meteor("room clean", "rooms clean") == pytest.approx(1 - 0.5 * (1 / 2) ** 3)
    assert sentence_meteor("tidy", "clean") == 0.0
    assert sentence_meteor("", "clean") == 0.0
    assert mean_meteor([], []) == 0.0
