"""BEIR-format retrieval sets: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`.

The format of Thakur et al. (2021), used by BEIR, MTEB retrieval and many others:

- `corpus.jsonl`: one document per line, `{"_id", "title", "text"}` (title may be empty);
- `queries.jsonl`: one query per line, `{"_id", "text"}`;
- `qrels/<split>.tsv`: tab-separated `query-id`, `corpus-id`, `score` with a header line; a score
  is a graded relevance (0 = judged not relevant).

Each judged query becomes a one-turn `Dialogue` whose gold ids are its relevant documents
(score > 0), so the dataset plugs into the same loader, cache and tracking as the other formats;
the graded judgements travel alongside for nDCG. Queries without judgements in the split are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from app.errors import InputError
from app.knowledge.documents import SourceDocument
from eval.datasets.schema import Dialogue, Turn, TurnLabels

DEFAULT_SPLIT = "test"
Qrels = dict[str, dict[str, int]]


def _jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        raise InputError(f"BEIR folder: {path.name} not found in {path.parent}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict) or "_id" not in row:
                raise InputError(f"{path}:{number}: expected an object with '_id'")
            yield number, row


def load_corpus(root: str | Path) -> list[SourceDocument]:
    """The corpus as knowledge-base documents (doc id = BEIR `_id`)."""
    root = Path(root)
    documents = []
    for number, row in _jsonl(root / "corpus.jsonl"):
        text = str(row.get("text") or "").strip()
        if not text:
            raise InputError(f"{root / 'corpus.jsonl'}:{number}: document {row['_id']!r} has no text")
        title = str(row.get("title") or "").strip()
        documents.append(
            SourceDocument(
                doc_id=str(row["_id"]),
                title=title or str(row["_id"]),
                text=text,
                source=f"beir:{root.name}",
                metadata={"dataset": root.name},
            )
        )
    return documents


def load_queries(root: str | Path) -> dict[str, str]:
    return {str(row["_id"]): str(row.get("text") or "") for _, row in _jsonl(Path(root) / "queries.jsonl")}


def qrels_file(root: str | Path, split: str | None) -> Path:
    path = Path(root) / "qrels" / f"{split or DEFAULT_SPLIT}.tsv"
    if not path.is_file():
        available = sorted(p.stem for p in (Path(root) / "qrels").glob("*.tsv"))
        raise InputError(f"BEIR folder: {path} not found (splits: {', '.join(available) or 'none'})")
    return path


def load_qrels(root: str | Path, split: str | None) -> Qrels:
    """query id → {doc id: graded relevance}, from `qrels/<split>.tsv` (header line skipped)."""
    path = qrels_file(root, split)
    qrels: Qrels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or (number == 1 and not row[-1].strip().lstrip("-").isdigit()):
                continue  # the header, or a blank line
            if len(row) < 3:
                raise InputError(f"{path}:{number}: expected query-id, corpus-id, score")
            try:
                score = int(row[2])
            except ValueError:
                raise InputError(f"{path}:{number}: score {row[2]!r} is not an integer") from None
            qrels.setdefault(row[0], {})[row[1]] = score
    return qrels


def load_dialogues(root: str | Path, split: str | None) -> tuple[list[Dialogue], Qrels]:
    """One single-turn dialogue per judged query that has a relevant document, in query-file order."""
    queries = load_queries(root)
    qrels = load_qrels(root, split)
    unknown = sorted(set(qrels) - set(queries))
    if unknown:
        raise InputError(f"BEIR qrels name queries missing from queries.jsonl: {', '.join(unknown[:5])}")
    dialogues = []
    for query_id, text in queries.items():
        relevant = [doc for doc, score in qrels.get(query_id, {}).items() if score > 0]
        if not relevant or not text.strip():
            continue
        labels = TurnLabels(needs_knowledge=True, gold_doc_ids=relevant)
        dialogues.append(Dialogue(id=query_id, turns=[Turn(text=text, labels=labels)]))
    if not dialogues:
        raise InputError(
            f"BEIR folder {root}: no query of split {split or DEFAULT_SPLIT} has a relevant document"
        )
    return dialogues, {d.id: qrels[d.id] for d in dialogues}
