"""Build datasets/dialogues/validation.jsonl: a second, separately written set of Kestrel dialogues.

Why it exists: the agent is scored on held-out dialogues written by other people, while every rule and
setting so far was shaped while looking at dev.jsonl. A design that only fits dev's phrasing would look
good there and fail elsewhere. These dialogues were written apart from dev and test, from the help-centre
articles alone (another writer, other words, other mistakes), so they show whether a change generalises.

Its role: a validation set for choosing between designs (compare two runs on it, keep what wins on both
dev and validation). It is never used to fit a model or to write a rule; once a rule is written while
reading these dialogues, the set has lost its purpose and must be replaced, not patched.

Same schema as dev and test (see datasets/README.md): one dialogue per line with id, customer, tags,
context and turns; the labels come from the constructors in demo_dialogues/turns.py. Ids are
val-<category>-NNN. Running the script again gives a byte-identical file, and it refuses to write a
gold id that is not an article in datasets/knowledge_base.

Usage:
    python scripts/build_validation_dialogues.py              # rewrite datasets/dialogues/validation.jsonl
    python scripts/build_validation_dialogues.py --out /tmp/v # write validation.jsonl there
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from demo_dialogues.turns import dialogue, handoff, hello, kb, say, thanks, unanswerable

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "datasets" / "dialogues"
KNOWLEDGE_BASE = ROOT / "datasets" / "knowledge_base"
FILE_NAME = "validation.jsonl"

Dialogue = dict[str, Any]


def faq_account() -> list[Dialogue]:
    """Single questions about the account pages."""
    return []  # TODO: write these dialogues


def faq_billing() -> list[Dialogue]:
    """Single questions about billing and Kestrel Club."""
    return []  # TODO: write these dialogues


def faq_orders() -> list[Dialogue]:
    """Single questions about orders and delivery."""
    return []  # TODO: write these dialogues


def faq_returns() -> list[Dialogue]:
    """Single questions about returns, refunds and warranty."""
    return []  # TODO: write these dialogues


def faq_security() -> list[Dialogue]:
    """Single questions about security and privacy."""
    return []  # TODO: write these dialogues


def faq_contact() -> list[Dialogue]:
    """Single questions about contacting Kestrel."""
    return []  # TODO: write these dialogues


def faq_troubleshooting() -> list[Dialogue]:
    """Single questions about devices and the app."""
    return []  # TODO: write these dialogues


def followups() -> list[Dialogue]:
    """Dialogues whose later questions depend on earlier ones."""
    return []  # TODO: write these dialogues


def memory() -> list[Dialogue]:
    """Dialogues where the customer tells facts (plan, country, device, order) that later answers depend on."""
    return []  # TODO: write these dialogues


def unanswerables() -> list[Dialogue]:
    """Fair questions the help centre does not answer."""
    return []  # TODO: write these dialogues


def escalations() -> list[Dialogue]:
    """Dialogues that must be handed to a person."""
    return []  # TODO: write these dialogues


def chitchat() -> list[Dialogue]:
    """Greetings, thanks and small talk around questions."""
    return []  # TODO: write these dialogues


CATEGORIES: dict[str, tuple[Callable[[], list[Dialogue]], ...]] = {
    "faq": (
        faq_account,
        faq_billing,
        faq_orders,
        faq_returns,
        faq_security,
        faq_contact,
        faq_troubleshooting,
    ),
    "followup": (followups,),
    "memory": (memory,),
    "unanswerable": (unanswerables,),
    "escalate": (escalations,),
    "chitchat": (chitchat,),
}


def build() -> list[Dialogue]:
    """Number the dialogues per category (val-<category>-NNN) in a fixed order."""
    records = []
    for category, groups in CATEGORIES.items():
        dialogues = [item for group in groups for item in group()]
        for index, item in enumerate(dialogues, start=1):
            dialogue_id = f"val-{category}-{index:03d}"
            records.append({"id": dialogue_id, "customer": f"c-{dialogue_id}", **item})
    return records


def gold_ids(records: Iterable[Dialogue]) -> set[str]:
    """Every gold article id named in the labels."""
    return {doc for record in records for turn in record["turns"] for doc in turn["labels"]["gold_doc_ids"]}


def check_gold_ids(records: Sequence[Dialogue], knowledge_base: Path = KNOWLEDGE_BASE) -> None:
    """Refuse labels that name an article the help centre does not have (a typo would score as a miss)."""
    articles = {str(path.relative_to(knowledge_base).with_suffix("")) for path in knowledge_base.rglob("*.*")}
    missing = sorted(gold_ids(records) - articles)
    if missing:
        raise ValueError(f"gold ids without an article: {missing}")


def write(records: Sequence[Dialogue], out_dir: Path) -> Path:
    """Write one JSONL file with stable key order and Unix newlines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: build, check, write, and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder for {FILE_NAME}")
    args = parser.parse_args(argv)
    records = build()
    check_gold_ids(records)
    path = write(records, args.out)
    turns = sum(len(record["turns"]) for record in records)
    print(
        f"wrote {path}: {len(records)} dialogues, {turns} user turns, {len(gold_ids(records))} gold articles"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
