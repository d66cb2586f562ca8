"""Entity tracking on DSTC dev slices: does the knowledge base focus on the entity the gold snippets name?

    .venv/bin/python -m benchmarks.entity_tracking [--root ../shared/datasets] [--show 0]

For each knowledge-seeking turn, the gold entity is the one its gold snippets belong to (none for
domain-wide knowledge such as taxi or train rules); the tracked entity is what the knowledge base's
matcher picks from the question and the earlier turns, newest first, exactly as `KnowledgeBase.search`
calls it. No embedding model is needed, so this runs in seconds.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from benchmarks._common import REPO, print_table

SLICES = (("DSTC11 val_dev", "dstc11_track5", "val_dev"), ("DSTC10 val_dev", "dstc10_track2", "val_dev"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per slice")
    return parser.parse_args()


def track(root: Path, split: str, show: int) -> tuple[int, int, Counter]:
    """(right, total, kinds of miss) over the slice's knowledge-seeking turns."""
    from app.knowledge.entities import EntityMatcher
    from eval.datasets import dstc

    documents = dstc.load_knowledge(root)
    entity_of = {doc.doc_id: doc.metadata["entity"] or None for doc in documents}
    names = sorted({name for name in entity_of.values() if name})
    matcher = EntityMatcher(names, background=[doc.text for doc in documents])
    right, total, misses = 0, 0, Counter()
    for dialogue in dstc.load_dialogues(root, split):
        turn = dialogue.turns[0]
        gold = {entity_of[doc_id] for doc_id in turn.labels.gold_doc_ids}
        if not turn.labels.needs_knowledge or len(gold) != 1:
            continue
        expected = gold.pop()
        context = [t.text for t in dialogue.context]
        tracked = matcher.last_named([turn.text, *reversed(context)])
        total += 1
        if tracked == expected:
            right += 1
            continue
        misses[
            "none tracked" if tracked is None else "domain-wide" if expected is None else "other entity"
        ] += 1
        if show > 0:
            show -= 1
            print(f"- {dialogue.id}: expected {expected!r}, tracked {tracked!r}: {turn.text!r}")
    return right, total, misses


def main() -> None:
    args = parse_args()
    rows = []
    for label, folder, split in SLICES:
        root = args.root / folder
        if not root.is_dir():
            continue
        right, total, misses = track(root, split, args.show)
        rows.append(
            [
                label,
                total,
                right,
                f"{right / total:.3f}" if total else "-",
                misses["none tracked"],
                misses["other entity"],
                misses["domain-wide"],
            ]
        )
    print_table(
        "Entity tracking on knowledge-seeking turns (gold entity = the gold snippets' entity)",
        ["slice", "turns", "right", "accuracy", "none tracked", "other entity", "domain-wide named"],
        rows,
    )


if __name__ == "__main__":
    main()
