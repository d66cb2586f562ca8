"""Shared steps of the builders for dialogue sets written apart from dev and test.

Why one module: the validation set and the training set are written by different people for
different roles, but they are numbered, checked and written the same way, so a fix to one (a stable
key order, the gold-id check) reaches both.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "datasets" / "dialogues"
KNOWLEDGE_BASE = ROOT / "datasets" / "knowledge_base"

Dialogue = dict[str, Any]
Categories = Mapping[str, tuple[Callable[[], list[Dialogue]], ...]]


def build(categories: Categories, prefix: str) -> list[Dialogue]:
    """Number the dialogues per category (<prefix>-<category>-NNN) in a fixed order."""
    records = []
    for category, groups in categories.items():
        dialogues = [item for group in groups for item in group()]
        for index, item in enumerate(dialogues, start=1):
            dialogue_id = f"{prefix}-{category}-{index:03d}"
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


def write(records: Sequence[Dialogue], path: Path) -> Path:
    """Write one JSONL file with stable key order and Unix newlines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(
    argv: Sequence[str] | None, *, description: str, categories: Categories, prefix: str, file_name: str
) -> int:
    """Command line entry point shared by the builders: build, check, write, and print the counts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder for {file_name}")
    args = parser.parse_args(argv)
    records = build(categories, prefix)
    check_gold_ids(records)
    path = write(records, args.out / file_name)
    turns = sum(len(record["turns"]) for record in records)
    print(
        f"wrote {path}: {len(records)} dialogues, {turns} user turns, {len(gold_ids(records))} gold articles"
    )
    return 0
