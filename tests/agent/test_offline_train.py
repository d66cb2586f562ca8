"""The shipped intent model is what the training command produces from the data in the repository."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.agent.providers.offline import detection as offline_detection
from app.agent.providers.offline import train as offline_train
from app.agent.providers.offline.intents import LABELS, IntentModel, Lexicon, features

REPO = Path(__file__).resolve().parents[2]


def public_folder() -> Path | None:
    """The DSTC dev slices the shipped model was trained with, where this checkout has them."""
    for candidate in (REPO.parent / "shared" / "datasets", REPO.parent.parent / "shared" / "datasets"):
        if candidate.is_dir():
            return candidate
    return None


def test_the_artifact_is_plain_arrays_with_every_label() -> None:
    model = IntentModel.load()
    assert model.labels == list(LABELS) and model.dimension == 384
    assert model.lexicon is not None and model.coef.shape[1] == 384 + len(model.lexicon.terms)
    with np.load(REPO / "app/agent/providers/offline/offline_intents.npz", allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


@pytest.mark.slow
@pytest.mark.timeout(900)  # embeds every utterance, DSTC turn and τ³ brief sentence on the CPU
def test_retraining_reproduces_the_validation_scores(tmp_path: Path) -> None:
    shipped = IntentModel.load()
    public = public_folder()
    extra, used = offline_train.public_examples(public) if public else ([], [])
    briefs, brief_sources = offline_train.public_briefs(public) if public else ([], [])
    if [*used, *brief_sources] != shipped.info.get("public", []):
        pytest.skip(f"the model was trained with {shipped.info.get('public')}; this checkout has {used}")
    examples = [*offline_train.read_examples(REPO / offline_train.DATA), *extra]
    questions = offline_train.public_questions(public) if public else {}
    dialogues = offline_train.dialogue_turns(REPO / offline_train.DIALOGUES)
    model, report = offline_train.train(
        examples, offline_train.embedding_function(), briefs=briefs, questions=questions, dialogues=dialogues
    )
    expected = json.loads((REPO / offline_train.SCORES).read_text(encoding="utf-8"))
    assert report == expected
    assert model.thresholds == shipped.thresholds
    assert model.info["escalate_threshold"] == shipped.info["escalate_threshold"]
    assert model.info["question_margin"] == shipped.info["question_margin"]
    assert model.info.get("transaction_margin") == shipped.info.get("transaction_margin")
    for key in ("long_request_threshold", "long_request_count", "long_whole", offline_detection.QUESTION_KEY):
        assert model.info.get(key) == shipped.info.get(key)
    # the embeddings' last digits depend on the CPU's BLAS kernels: on one machine the coefficients
    # differed from the shipped ones by up to 3.5e-6 while every score and threshold above was equal
    np.testing.assert_allclose(model.coef, shipped.coef, atol=1e-4)


def test_tau3_briefs_split_each_class_in_turn(tmp_path: Path) -> None:
    def task(number: int, actions: list[str]) -> dict:
        return {
            "id": f"t{number}",
            "user_scenario": {"instructions": f"**Your character:** customer {number}. Ask about fees."},
            "evaluation_criteria": {"actions": [{"name": name} for name in actions]},
        }

    tasks = [task(1, ["transfer_to_human_agents"]), task(2, []), task(3, ["log_verification"])]
    tasks += [task(4, ["request_human_agent_transfer"]), task(5, [])]
    (tmp_path / "tasks_dev.json").write_text(json.dumps(tasks), encoding="utf-8")
    briefs = offline_train.tau3_briefs(tmp_path)
    assert [(b.id, b.handover, b.split) for b in briefs] == [
        ("t1", True, "train"),
        ("t2", False, "train"),
        ("t3", False, "validation"),
        ("t4", True, "validation"),
        ("t5", False, "train"),
    ]
    assert briefs[0].text == "Your character: customer 1. Ask about fees."
    # only the train briefs give sentences, each labelled for `human` alone
    sentences = offline_train.brief_sentences(briefs)
    texts = {example.text for example, _ in sentences}
    assert texts == {"Your character:", "Ask about fees."}  # "customer 1." is one word once split
    assert all(example.known == frozenset({"human"}) for example, _ in sentences)


def test_dialogue_turns_are_labelled_for_the_hand_over_and_given_their_likeliest_reason(
    tmp_path: Path,
) -> None:
    def turn(text: str, escalate: bool | None) -> dict:
        return {"text": text, "labels": {"expect_escalation": escalate}}

    dialogue = {"id": "d-1", "turns": [turn("get me a person", True), turn("it smokes", True)]}
    dialogue["turns"] += [turn("price?", False), turn("hello", None)]  # "hello": not labelled, left out
    dialogue["turns"].append(turn("I will see you in the small claims court", True))
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(dialogue) + "\n", encoding="utf-8")
    # the last turn comes too close to a test turn (scripts/flag_test_overlaps.py listed it)
    (tmp_path / offline_train.OVERLAPS).write_text(json.dumps({"turns": ["d-1#4"]}), encoding="utf-8")
    turns = offline_train.dialogue_turns(path)
    assert [(example.text, handover) for example, handover in turns] == [
        ("get me a person", True),
        ("it smokes", True),
        ("price?", False),
    ]
    reasons = set(offline_train.ESCALATION_REASONS)
    assert all(example.known == reasons and not example.labels for example, _ in turns)

    # a first fit on two features: the first reads as `human`, the second as `safety`, and the
    # other reasons sit far from both
    human, safety = LABELS.index("human"), LABELS.index("safety")
    others = [LABELS.index(name) for name in reasons - {"human", "safety"}]
    rows = np.array([[3.0, 0.0], [2.0, 0.0], [0.0, 3.0], [0.0, 2.0], [0.0, 0.0], [-2.0, -2.0]])
    y = np.zeros((6, len(LABELS)), dtype=np.int8)
    y[:2, human] = 1
    y[2:4, safety] = 1
    y[5, others] = 1
    mask = np.ones_like(y, dtype=bool)
    vectors = {"get me a person": [1.0, 0.0], "it smokes": [0.0, 1.0], "price?": [0.0, 0.0]}

    def featurize(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        found = np.array([vectors[text] for text in texts])
        return found, found

    examples, _, extra_rows = offline_train._with_reasons(turns, featurize, rows, y, mask, seed=1)
    assert [(example.labels, example.known) for example in examples] == [
        (frozenset({"human"}), frozenset({"human"})),  # a positive for its likeliest reason only
        (frozenset({"safety"}), frozenset({"safety"})),
        (frozenset(), reasons),  # a negative for every reason
    ]
    assert extra_rows.tolist() == [vectors[example.text] for example, _ in turns]  # the rows follow the turns


def test_hand_over_calibration_falls_back_to_the_most_precise_pair() -> None:
    # no threshold reaches HANDOVER_PRECISION: 0.5 has the best F1 (0.91, precision 0.83), any
    # threshold above it the best precision (0.90); a wrong hand-over costs more, so precision wins
    from app.agent.providers.offline.intents import Reading

    def reading(human: float) -> Reading:
        return Reading(probabilities={"human": human, "knowledge": 0.0}, thresholds={})

    positives = [reading(0.9)] * 9 + [reading(0.5)] * 11
    negatives = [reading(0.9)] + [reading(0.5)] * 3 + [reading(0.1)] * 6
    gold = np.array([True] * len(positives) + [False] * len(negatives))

    threshold, _ = offline_train.calibrate_escalation([*positives, *negatives], gold)

    assert threshold > 0.5
    predicted = offline_train.escalation_decisions([*positives, *negatives], threshold)
    assert offline_train.binary_scores(gold, predicted)["precision"] == 0.9


def test_long_hand_over_is_calibrated_on_request_parts_and_scored_leave_one_out() -> None:
    # a stand-in embedding (one axis for "asks for a person"), the real calibration: a brief that
    # hands over asks twice, each time in a clause of a longer sentence; one that does not asks once
    # (a condition). Read sentence by sentence neither would count; read by parts, two requests do.
    dimension = 384
    coef = np.zeros((len(LABELS), dimension))
    coef[LABELS.index("human"), 0] = 12.0
    intercept = np.full(len(LABELS), -6.0)
    model = IntentModel(list(LABELS), coef, intercept, np.full(len(LABELS), 0.5), embedder="stand-in")

    def embed(texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), dimension))
        vectors[:, 0] = [1.0 if text.strip(' ."') == "get me a person" else 0.0 for text in texts]
        return vectors

    story = "I opened an account in May. The card came late. The app logs me out."
    asking = f'{story} If they stall, get me a person. Say things like "this is silly", "get me a person".'
    once = f"{story} If they stall, get me a person. Say things like this is silly."
    splits = ("train", "validation")
    briefs = [
        offline_train.Brief(f"b{i}", asking if i % 4 == 0 else once, i % 4 == 0, splits[(i // 4) % 2])
        for i in range(16)
    ]
    report = offline_train.calibrate_long(model, briefs, offline_train.featurizer(embed, None))
    assert model.info["long_request_count"] == 2
    assert model.info["long_request_threshold"] > 0.5
    held_out = report["(tau3 long hand-over, leave-one-out)"]
    assert held_out["support"] == 4 and held_out["recall"] == 1.0 and held_out["precision"] == 1.0


def test_the_lexicon_is_saved_with_the_weights_and_read_back(tmp_path: Path) -> None:
    texts = ["I want a person now", "fed up with waiting", "how much is Plus", "fed up, get me a person"]
    lexicon = Lexicon.fit(texts, size=40)
    assert len(lexicon.terms) == 40 and "fed" in lexicon.terms  # n-grams in two texts or more
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(texts), 8))
    rows = features(vectors, texts, lexicon)
    assert rows.shape == (4, 48) and np.allclose(np.linalg.norm(rows[:, 8:], axis=1), 1.0)
    coef = rng.normal(size=(len(LABELS), 48))
    model = IntentModel(
        list(LABELS), coef, np.zeros(len(LABELS)), np.full(len(LABELS), 0.5), embedder="e", lexicon=lexicon
    )
    model.save(tmp_path / "m.npz")
    loaded = IntentModel.load(tmp_path / "m.npz")

    assert loaded.dimension == 8 and loaded.lexicon is not None and loaded.lexicon.terms == lexicon.terms
    for vector, text in zip(vectors, texts, strict=True):
        assert loaded.read(vector, text).probabilities == model.read(vector, text).probabilities
    # the spelling counts: the same embedding with another text reads differently
    assert loaded.read(vectors[0], texts[1]).probabilities != loaded.read(vectors[0], texts[0]).probabilities


def test_a_model_saved_without_a_lexicon_reads_the_embedding_alone(tmp_path: Path) -> None:
    coef = np.zeros((len(LABELS), 4))
    coef[LABELS.index("human"), 0] = 10.0
    model = IntentModel(
        list(LABELS), coef, np.full(len(LABELS), -5.0), np.full(len(LABELS), 0.5), embedder="e"
    )
    model.save(tmp_path / "old.npz")
    loaded = IntentModel.load(tmp_path / "old.npz")

    assert loaded.lexicon is None and loaded.dimension == 4
    assert loaded.read(np.array([1.0, 0, 0, 0]), "anything").has("human")
    assert not loaded.read(np.zeros(4), "anything").has("human")
