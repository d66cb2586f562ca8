"""τ³ hybrid fusion settings, fitted on part of the dev tasks and checked on the rest.

    .venv/bin/python -m benchmarks.fusion_weights [--root ../shared/datasets/tau3_banking_knowledge]

Document-level fusion of the knowledge base's dense and BM25 chunk rankings (app/knowledge/fusion.py,
as `KnowledgeBase.search(..., unique_docs=True)` fuses them). The dev tasks are split by task with a
fixed seed (SPLIT_SEED): half fit, half validate; a change is worth keeping only when it also wins
on the validation half. Two tables:
- how a document scores in each list: by its rank among the list's documents (before), by its best
  chunk's rank among the list's chunks (now), or by its best two chunks summed;
- settings fitted on the fitting half: the dense weight scaled down for long requests
  (weight x min(1, pivot / query tokens)) and the RRF constant, beside the current one.
Uses the evaluation's cached τ³ knowledge base.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from benchmarks._common import TAU3, offline_environment, print_table

T = TypeVar("T")
SPLIT_SEED = 17  # fixed: the same tasks validate on every run
POOL = 200  # chunks per ranking, as search pools k x DOC_POOL for k = 10
K = 10
DENSE_WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.5)
PIVOTS = (None, 50, 100, 150, 200, 300)  # query tokens above which dense counts for less
RRF_KS = (10, 20, 30, 60, 100)
AGGREGATES = {"document rank": 0, "best chunk": 1, "best 2 chunks summed": 2}  # chunks a document sums


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TAU3)
    return parser.parse_args()


def rankings(root: Path) -> list[dict]:
    """Per task: the gold articles, the query's token count, and both chunk rankings with doc ids."""
    from app.knowledge.lexical import tokenize
    from app.knowledge.rankers import DenseRanker, Query
    from app.settings import load_settings
    from eval.datasets.loader import load_dataset
    from eval.datasets.tau3 import task_request
    from eval.kb_cache import prepare_knowledge

    settings = load_settings()
    kb = prepare_knowledge(
        load_dataset(f"tau3:{root}", settings=settings).knowledge, settings, progress=False
    )
    catalog = kb.catalog()
    ranker = DenseRanker(kb.store, kb.cached_embedder.embed_query, settings.query_embed_chars)
    tasks = [t for t in json.loads((root / "tasks_dev.json").read_text()) if t.get("required_documents")]
    found = []
    for task in tasks:
        text = task_request(task)
        lexical = catalog.lexical.top(text, POOL)
        dense = ranker.rank(Query(catalog, text, None, POOL), candidates=lexical)
        found.append(
            {
                "gold": set(task["required_documents"]),
                "tokens": len(tokenize(text)),
                "bm25": [(catalog.chunks[row].chunk_id, catalog.chunks[row].doc_id) for row, _ in lexical],
                "dense": [(cid, catalog.chunks[catalog.rows[cid]].doc_id) for cid, _ in dense],
            }
        )
    return found


def split(tasks: Sequence[T]) -> tuple[list[T], list[T]]:
    """(fitting half, validation half), by task, shuffled with SPLIT_SEED."""
    order = np.random.default_rng(SPLIT_SEED).permutation(len(tasks))
    half = len(tasks) // 2
    return [tasks[i] for i in sorted(order[:half])], [tasks[i] for i in sorted(order[half:])]


def by_document_rank(rankings: list[tuple[float, list[tuple[str, str]]]], k: int) -> list[str]:
    """The former fusion: RRF of each list's document ranking (documents in order of first chunk)."""
    from app.knowledge.fusion import reciprocal_rank_fusion

    docs = [(weight, list(dict.fromkeys(doc for _, doc in ranked))) for weight, ranked in rankings]
    return [doc for doc, _ in reciprocal_rank_fusion(docs, k=k)]


def by_chunk_rank(rankings: list[tuple[float, list[tuple[str, str]]]], k: int, per_doc: int) -> list[str]:
    """The knowledge base's fusion (fusion.fuse_documents), as document ids."""
    from app.knowledge.fusion import fuse_documents

    doc_of = {cid: doc for _, ranked in rankings for cid, doc in ranked}
    return [doc_of[cid] for cid, _ in fuse_documents(rankings, k=k, chunks_per_doc=per_doc)]


def score(
    tasks: Sequence[dict], weight: float, pivot: int | None, rrf_k: int, aggregate: str = "best chunk"
) -> tuple[float, float]:
    """Mean document recall@K and MRR@K of the fused rankings."""
    recalls, reciprocal = [], []
    for task in tasks:
        dense_weight = weight * (1.0 if pivot is None else min(1.0, pivot / max(task["tokens"], 1)))
        rankings = [(dense_weight, task["dense"]), (1.0, task["bm25"])]
        if aggregate == "document rank":
            top = by_document_rank(rankings, rrf_k)[:K]
        else:
            top = by_chunk_rank(rankings, rrf_k, AGGREGATES[aggregate])[:K]
        recalls.append(len(task["gold"] & set(top)) / len(task["gold"]))
        reciprocal.append(next((1 / rank for rank, d in enumerate(top, start=1) if d in task["gold"]), 0.0))
    return float(np.mean(recalls)), float(np.mean(reciprocal))


def main() -> None:
    args = parse_args()
    offline_environment()
    tasks = rankings(args.root)
    fit, validation = split(tasks)
    columns = [f"fit R@{K}", f"fit MRR@{K}", f"val R@{K}", f"val MRR@{K}", f"all R@{K}", f"all MRR@{K}"]
    halves = f"fit = {len(fit)} dev tasks, validation = {len(validation)} (split by task, seed {SPLIT_SEED})"
    rows = [
        [name, *score(fit, 1.0, None, 60, name), *score(validation, 1.0, None, 60, name)]
        for name in AGGREGATES
    ]
    rows = [[*row, *score(tasks, 1.0, None, 60, row[0])] for row in rows]
    print_table(
        f"τ³ document fusion, how a document scores in each list: {halves}",
        ["document score", *columns],
        rows,
    )
    settings = [(w, p, 60) for w in DENSE_WEIGHTS for p in PIVOTS] + [(1.0, None, k) for k in RRF_KS]
    best = max(settings, key=lambda s: score(fit, *s))
    rows = []
    for label, setting in (("current (1.0, none, 60)", (1.0, None, 60)), (f"best on fit {best}", best)):
        rows.append([label, *score(fit, *setting), *score(validation, *setting), *score(tasks, *setting)])
    print_table(
        f"τ³ document fusion settings (best chunk): {halves}; "
        "setting = (dense weight, length pivot in tokens, RRF k)",
        ["setting", *columns],
        rows,
    )


if __name__ == "__main__":
    main()
