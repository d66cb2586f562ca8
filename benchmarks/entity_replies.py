"""Replies from an entity's selected snippets, re-composed from a saved DSTC run and re-scored.

    .venv/bin/python -m benchmarks.entity_replies RUN_DIR [--root ../shared/datasets/dstc11_track5]
        [--show N]

A full DSTC11 evaluation takes a quarter of an hour; the replies of the knowledge turns whose search
selected an entity's FAQs or review sentences depend only on that selection and the question. This
reads a run's `turns.jsonl`, rebuilds the selected snippets from `knowledge.json` in the order the run
selected them, composes the reply with the current `EntityAnswerer`, keeps every other turn's reply as
it was, and scores generation (ROUGE-L, BLEU, as eval/metrics/dstc.py) and selection (what the
reply cites, as in the evaluation) on:
- the fitting half (wording is chosen here) and the checking half of the dialogues: a dialogue's
  instances go to the half its opening turn's hash says (instances of one dialogue stay together);
- the whole slice.
Passage numbers do not matter: citations are removed before scoring, as in the evaluation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from benchmarks._common import offline_environment, print_table


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an eval run's output folder (holds turns.jsonl)")
    parser.add_argument("--root", type=Path, default=Path("/work/shared/datasets/dstc11_track5"))
    parser.add_argument("--split", default="val_dev")
    parser.add_argument("--show", type=int, default=0, help="print this many re-composed replies")
    return parser.parse_args()


def half_of(opening: str) -> int:
    """0 (fitting) or 1 (checking): a fixed hash of the dialogue's opening turn."""
    return hashlib.sha1(opening.encode("utf-8")).digest()[0] % 2


def passages_of(knowledge_root: Path) -> dict[str, object]:
    """Every knowledge document as the search would hand it over, selected, by doc id."""
    from app.protocol import Passage
    from eval.datasets.dstc import load_knowledge

    return {
        doc.doc_id: Passage(
            number=0,
            chunk_id=doc.doc_id,
            doc_id=doc.doc_id,
            title=doc.title,
            section="",
            text=doc.text,
            score=1.0,
            kind=doc.metadata.get("doc_type", ""),
            selected=True,
        )
        for doc in load_knowledge(knowledge_root)
    }


def recompose(records: list[dict], documents: dict[str, object]) -> int:
    """Replace each entity-path reply with the current composer's; the number replaced."""
    from dataclasses import replace

    from app.agent.providers.offline.answer_entity import EntityAnswerer, entity_snippets
    from app.protocol import cited_numbers

    answerer, changed = EntityAnswerer(), 0
    for record in records:
        ids = [i for i in record.get("selected_doc_ids") or [] if i in documents]
        if not record.get("searched") or not ids:
            continue
        passages = [replace(documents[i], number=n) for n, i in enumerate(ids, start=1)]
        snippets = entity_snippets(passages)
        if snippets:
            record["response"] = answerer.reply(snippets, record["query"])
            # the evaluation's selection is what the reply cites
            record["selected_doc_ids"] = [ids[n - 1] for n in cited_numbers(record["response"])]
            changed += 1
    return changed


def scores(records: list[dict]) -> dict[str, float]:
    from app.protocol import without_citations
    from eval.metrics import dstc

    labelled = [r for r in records if r["labels"]["needs_knowledge"] is not None]
    references = [
        {
            "target": bool(r["labels"]["needs_knowledge"]),
            "knowledge": r["labels"]["gold_doc_ids"],
            "response": r["labels"]["reference"] or "",
        }
        for r in labelled
    ]
    predictions = [
        {
            "target": r["searched"],
            "knowledge": r["selected_doc_ids"],
            "response": without_citations(r["response"]),
        }
        for r in labelled
    ]
    found = dstc.score_dstc(references, predictions, prefix="")
    words = sorted(
        len(without_citations(r["response"]).split()) for r in labelled if r["labels"]["needs_knowledge"]
    )
    found["median words"] = float(words[len(words) // 2]) if words else 0.0
    return found


def main() -> None:
    args = parse_args()
    offline_environment()
    records = [
        json.loads(line) for line in (args.run / "turns.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    logs = json.loads((args.root / args.split / "logs.json").read_text(encoding="utf-8"))
    if len(logs) != len(records):
        raise SystemExit(f"{len(records)} turns in the run but {len(logs)} instances in {args.split}")
    before = {id(r): r["response"] for r in records}
    changed = recompose(records, passages_of(args.root))
    halves = [half_of(log[0]["text"]) for log in logs]
    rows = []
    for name, part in (
        ("fitting", [r for r, h in zip(records, halves, strict=True) if h == 0]),
        ("checking", [r for r, h in zip(records, halves, strict=True) if h == 1]),
        ("whole", records),
    ):
        found = scores(part)
        rows.append(
            [
                name,
                str(sum(bool(r["labels"]["needs_knowledge"]) for r in part)),
                *(
                    f"{found[k]:.4f}"
                    for k in ("generation/rouge_l", "generation/bleu", "generation/rouge_1", "selection/f1")
                ),
                f"{found['median words']:.0f}",
            ]
        )
    print(f"{changed} replies re-composed")
    print_table(
        "entity replies re-composed",
        ["part", "knowledge turns", "ROUGE-L", "BLEU", "ROUGE-1", "selection F1", "median words"],
        rows,
    )
    shown = [r for r in records if r["labels"]["needs_knowledge"] and r["response"] != before[id(r)]]
    for record in shown[: args.show]:
        print(f"\nQ: {record['query']}\nREF: {record['labels']['reference']}\nWAS: {before[id(record)]}")
        print(f"NOW: {record['response']}")


if __name__ == "__main__":
    main()
