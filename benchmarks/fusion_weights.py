"""τ³ hybrid fusion settings, fitted on part of the dev tasks and checked on the rest.

    .venv/bin/python -m benchmarks.fusion_weights [--root ../shared/datasets/tau3_banking_knowledge]

Document-level fusion of the knowledge base's dense and BM25 chunk rankings (app/knowledge/fusion.py,
as `KnowledgeBase.search(..., unique_docs=True)` fuses them), for the 64 dev tasks split by position:
the first FIT_TASKS fit, the rest validate. Candidates: the dense weight scaled down for long
requests (weight x min(1, pivot / query tokens)) and the RRF constant. The best setting on the
fitting part is shown beside the current one on both parts; a change is worth keeping only when
it also wins on the validation part. Uses the evaluation's cached τ³ knowledge base.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks._common import TAU3, offline_environment, print_table

FIT_TASKS = 40
POOL = 200  # chunks per ranking, as search pools k x DOC_POOL for k = 10
K = 10
DENSE_WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.5)
PIVOTS = (None, 50, 100, 150, 200, 300)  # query tokens above which dense counts for less
RRF_KS = (10, 20, 30, 60, 100)


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


def score(tasks: Sequence[dict], weight: float, pivot: int | None, rrf_k: int) -> tuple[float, float]:
    """Mean document recall@K and MRR@K of the fused rankings."""
    from app.knowledge.fusion import fuse_documents

    recalls, reciprocal = [], []
    for task in tasks:
        dense_weight = weight * (1.0 if pivot is None else min(1.0, pivot / max(task["tokens"], 1)))
        doc_of = dict(task["bm25"] + task["dense"])
        fused = fuse_documents([(dense_weight, task["dense"]), (1.0, task["bm25"])], k=rrf_k)
        top = [doc_of[cid] for cid, _ in fused][:K]
        recalls.append(len(task["gold"] & set(top)) / len(task["gold"]))
        reciprocal.append(next((1 / rank for rank, d in enumerate(top, start=1) if d in task["gold"]), 0.0))
    return float(np.mean(recalls)), float(np.mean(reciprocal))


def main() -> None:
    args = parse_args()
    offline_environment()
    tasks = rankings(args.root)
    fit, validation = tasks[:FIT_TASKS], tasks[FIT_TASKS:]
    settings = [(w, p, 60) for w in DENSE_WEIGHTS for p in PIVOTS] + [(1.0, None, k) for k in RRF_KS]
    best = max(settings, key=lambda s: score(fit, *s))
    rows = []
    for label, setting in (("current (1.0, none, 60)", (1.0, None, 60)), (f"best on fit {best}", best)):
        rows.append([label, *score(fit, *setting), *score(validation, *setting), *score(tasks, *setting)])
    print_table(
        f"τ³ document fusion: fit = first {FIT_TASKS} dev tasks, validation = last {len(validation)}; "
        "setting = (dense weight, length pivot in tokens, RRF k)",
        ["setting", f"fit R@{K}", f"fit MRR@{K}", f"val R@{K}", f"val MRR@{K}", f"all R@{K}", f"all MRR@{K}"],
        rows,
    )


if __name__ == "__main__":
    main()
