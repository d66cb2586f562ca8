"""Retrieval quality on τ³ banking: does the knowledge base find the articles each task needs?

    .venv/bin/python -m benchmarks.retrieval_quality [--root ../shared/datasets/tau3_banking_knowledge]
        [--limit N] [--k 10] [--data-dir benchmarks/output/kb-quality]

Query = the customer's request built from the task (`eval.datasets.tau3.task_request`); gold =
`required_documents`. Document level: chunk hits are collapsed to their best chunk per article.
Recall@k and MRR@k are also shown on the two halves of the task split that
benchmarks.fusion_weights fits and validates on (by task, fixed seed).
Plain bm25s and plain MiniLM over whole articles run in the same process as reference points.
Nothing here is tuned to particular tasks.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from benchmarks._common import OUTPUT, TAU3, mean, offline_environment, print_table


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TAU3)
    parser.add_argument("--limit", type=int, default=None, help="first N tasks only")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=OUTPUT / "kb-quality")
    return parser.parse_args()


def score(ranked: Sequence[str], gold: set[str], k: int) -> tuple[float, float, float]:
    """(recall@5, recall@k, reciprocal rank of the first gold document within k)."""
    top = list(ranked)[:k]
    rr = next((1.0 / rank for rank, doc_id in enumerate(top, start=1) if doc_id in gold), 0.0)
    return recall(top[:5], gold), recall(top, gold), rr


def recall(top: Sequence[str], gold: set[str]) -> float:
    return len(gold.intersection(top)) / len(gold) if gold else 0.0


def evaluate(
    name: str, retrieve: Callable[[str], list[str]], tasks: list[tuple[str, set[str]]], k: int
) -> list:
    """[name, recall@5, recall@k, MRR@k, fit recall@k, fit MRR@k, val recall@k, val MRR@k, ms]."""
    from benchmarks.fusion_weights import split

    started = time.perf_counter()
    results = [score(retrieve(query), gold, k) for query, gold in tasks]
    seconds = time.perf_counter() - started
    columns = [mean([result[i] for result in results]) for i in range(3)]
    for half in split(results):
        columns += [mean([result[i] for result in half]) for i in (1, 2)]
    return [name, *columns, seconds * 1000 / len(tasks)]


def plain_bm25(docs) -> Callable[[str], list[str]]:
    import bm25s

    model = bm25s.BM25()
    model.index(
        bm25s.tokenize([f"{d.title}\n{d.text}" for d in docs], stopwords="en", show_progress=False),
        show_progress=False,
    )
    ids = [d.doc_id for d in docs]

    def retrieve(query: str) -> list[str]:
        found, _ = model.retrieve(
            bm25s.tokenize([query], stopwords="en", show_progress=False), k=50, show_progress=False
        )
        return [ids[i] for i in found[0]]

    return retrieve


def plain_dense(docs, embedder, cache) -> Callable[[str], list[str]]:
    from app.knowledge.embedding_cache import embed_with_cache

    matrix = embed_with_cache(embedder, cache, [f"{d.title}\n{d.text}" for d in docs])
    ids = [d.doc_id for d in docs]

    def retrieve(query: str) -> list[str]:
        scores = matrix @ embedder.embed_query(query)
        return [ids[i] for i in np.argsort(-scores)[:50]]

    return retrieve


def main() -> None:
    args = parse_args()
    offline_environment()
    from app.knowledge import KnowledgeBase
    from app.settings import load_settings
    from eval.datasets.tau3 import load_documents, task_request

    docs = load_documents(args.root)
    raw_tasks = json.loads((args.root / "tasks_dev.json").read_text())[: args.limit]
    tasks = [
        (task_request(t), set(t["required_documents"])) for t in raw_tasks if t.get("required_documents")
    ]
    settings = load_settings(data_dir=args.data_dir, environment="test")
    kb = KnowledgeBase.from_settings(settings, collection="tau3")
    summary = kb.ingest_documents(docs, progress=True)
    print(f"knowledge base: {summary.line()}")

    rows = [
        evaluate("plain bm25s, whole articles", plain_bm25(docs), tasks, args.k),
        evaluate("plain MiniLM, whole articles", plain_dense(docs, kb.embedder, kb.cache), tasks, args.k),
    ]
    for mode in ("bm25", "dense", "hybrid"):

        def retrieve(query: str, mode: str = mode) -> list[str]:
            return [hit.doc_id for hit in kb.search(query, k=args.k, mode=mode, unique_docs=True)]

        rows.append(evaluate(f"knowledge base, {mode} (chunks → docs)", retrieve, tasks, args.k))
    chunks = kb.stats()["chunks"]
    print_table(
        f"τ³ retrieval quality: {len(tasks)} tasks, {len(docs)} articles, {chunks} chunks, "
        f"document level @{args.k}",
        ["retriever", "recall@5", f"recall@{args.k}", f"MRR@{args.k}"]
        + [f"{half} {name}@{args.k}" for half in ("fit", "val") for name in ("R", "MRR")]
        + ["ms/query"],
        rows,
    )


if __name__ == "__main__":
    main()
