"""Build the search's question memory from the training dialogues (never validation, dev or test).

Why: customers of one help centre ask the same things in different words, and a question labelled
with the article that answers it is the best evidence of where a new question's answer is. Search
fuses the articles of the labelled questions closest to the customer's message with its own ranking
(`app/knowledge/memory.py`). The memory holds only the training split, so dev and validation still
measure retrieval on questions it has never seen.

One command rewrites the memory (review the diff, rerun the evaluation, commit):
    python scripts/build_question_memory.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.settings import QUESTION_MEMORY_FILE  # noqa: E402

SOURCE = ROOT / "datasets" / "dialogues" / "train.jsonl"
OUTPUT = ROOT / "datasets" / QUESTION_MEMORY_FILE  # beside the knowledge folder, where search looks


def labelled_questions(source: Path) -> list[dict[str, object]]:
    """Each customer message that needs the help centre, once, with the articles that answer it and
    the reference answer it was labelled with. A message labelled with no article is one the help
    centre does not answer: it is kept with no articles, so a message very like it is declined, but
    only when it opens its dialogue. A later one means what the turns before it asked ("nice. how
    many days does the battery last?" after a question about the Pulse watch) and, stored alone,
    would decline the same words about a product whose battery life the help centre states."""
    seen: set[str] = set()
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        dialogue = json.loads(line)
        for position, turn in enumerate(dialogue["turns"]):
            labels = turn["labels"]
            question = " ".join(turn["text"].split())
            opens = position == 0 and not dialogue.get("context")
            if not labels["needs_knowledge"] or question in seen or not (labels["gold_doc_ids"] or opens):
                continue
            seen.add(question)
            answer = " ".join((labels.get("reference") or "").split())
            rows.append({"question": question, "doc_ids": list(labels["gold_doc_ids"]), "answer": answer})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = labelled_questions(args.source)
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
    args.output.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {len(rows)} labelled questions to {args.output}")


if __name__ == "__main__":
    main()
