"""Build datasets/dialogues/{dev,test}.jsonl: labelled customer dialogues about the Kestrel help centre.

Why a script: the dialogues are data, but writing 400 turns of JSON by hand invites typos in field
names. Here each turn is one call to a small constructor that fills in the labels the evaluation
needs (which tools, which gold articles, whether to escalate), and the output is written in a fixed
order, so running the script again gives byte-identical files.

Schema (docs/architecture.md, Evaluation): one dialogue per line with id, customer, tags, context and
turns; each turn has text, attachment (path relative to the JSONL file, or null) and labels
{needs_knowledge, gold_doc_ids, gold_chunk_ids, reference, expected_tools[{name, arguments}],
expect_escalation}. gold_chunk_ids stay empty: chunk ids depend on the chunker settings.

The split is deterministic: within every category, dialogues alternate dev, test, dev, ...

Usage:
    python scripts/build_demo_dialogues.py              # rewrite datasets/dialogues/*.jsonl
    python scripts/build_demo_dialogues.py --out /tmp/d # write dev.jsonl and test.jsonl there
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demo_dialogues import categories

OUT_DIR = Path(__file__).resolve().parents[1] / "datasets" / "dialogues"
SPLITS = ("dev", "test")


def assign(categories: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Number the dialogues per category and alternate them between the splits."""
    splits: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLITS}
    for category, dialogues in categories.items():
        for index, dialogue in enumerate(dialogues, start=1):
            dialogue_id = f"{category}-{index:03d}"
            record = {"id": dialogue_id, "customer": f"c-{dialogue_id}", **dialogue}
            splits[SPLITS[(index - 1) % len(SPLITS)]].append(record)
    return splits


def write(splits: dict[str, list[dict[str, Any]]], out_dir: Path) -> list[Path]:
    """Write one JSONL file per split with stable key order and Unix newlines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records in splits.items():
        path = out_dir / f"{name}.jsonl"
        lines = [json.dumps(record, ensure_ascii=False) for record in records]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: build, write, and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for dev.jsonl and test.jsonl")
    args = parser.parse_args(argv)
    splits = assign(categories())
    for path in write(splits, args.out):
        records = splits[path.stem]
        turns = sum(len(r["turns"]) for r in records)
        print(f"wrote {path}: {len(records)} dialogues, {turns} user turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
