"""Query latency: dense, BM25 and hybrid search, query embedding included.

    .venv/bin/python -m benchmarks.query_latency [--limit N] [--scale 10] [--queries 100] [--cores 2]

Corpora: the τ³ articles (first N) and a synthesized corpus `scale` times larger. Queries: short
questions made from article titles alternating with the long customer requests of the τ³ tasks
(1 500-7 000 characters; embedded by their most answerable sentences, see app/knowledge/focus.py),
so half the sample is the worst case. Target: hybrid p95 under 50 ms on 2 cores. The p95 of each
half is printed too.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks._common import OUTPUT, TAU3, mean, offline_environment, percentile, print_table, synthesize


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TAU3)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100, help="queries per corpus and mode")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=OUTPUT / "kb-latency")
    return parser.parse_args()


def queries(root: Path, docs: list, n: int) -> list[str]:
    """Alternate short title questions and long task requests, deterministically."""
    from eval.datasets.tau3 import task_request

    tasks = json.loads((root / "tasks_dev.json").read_text())
    long = [task_request(t) for t in tasks]
    short = [f"What should I know about {d.title.split(':')[-1].strip().lower()}?" for d in docs]
    mixed = [q for pair in zip(short, long * (len(short) // len(long) + 1), strict=False) for q in pair]
    return mixed[:n]


def timed(kb, texts: list[str], mode: str) -> list[float]:
    """Per-query milliseconds with every query embedded afresh (the query-vector LRU is emptied)."""
    kb.search("warm-up query about an account", mode=mode)  # loads the model and indexes
    kb.cached_embedder.clear()
    samples = []
    for text in texts:
        started = time.perf_counter()
        kb.search(text, k=5, mode=mode)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    args = parse_args()
    offline_environment(args.cores)
    from app.knowledge import KnowledgeBase
    from app.settings import load_settings
    from eval.datasets.tau3 import load_documents

    docs = load_documents(args.root)[: args.limit]
    texts = queries(args.root, docs, args.queries)
    settings = load_settings(data_dir=args.data_dir, environment="test")
    long_from = settings.query_embed_chars  # longer queries are focused before embedding
    rows = []
    for name, corpus in (("τ³ articles", docs), (f"τ³ x{args.scale}", synthesize(docs, args.scale))):
        kb = KnowledgeBase.from_settings(settings, collection=f"latency-{len(corpus)}")
        kb.ingest_documents(corpus, progress=True, prune=True)
        chunks = kb.stats()["chunks"]
        for mode in ("bm25", "dense", "hybrid"):
            samples = timed(kb, texts, mode)
            p95 = percentile(samples, 95)
            target = ("ok" if p95 < 50 else "ABOVE 50 ms") if mode == "hybrid" else ""
            short = [ms for ms, text in zip(samples, texts, strict=True) if len(text) <= long_from]
            long = [ms for ms, text in zip(samples, texts, strict=True) if len(text) > long_from]
            spread = [percentile(samples, 50), p95, percentile(short, 95), percentile(long, 95)]
            rows.append([name, chunks, mode, len(samples), mean(samples), *spread, target])
    print_table(
        f"Query latency in ms ({args.cores} cores, k=5, query embedding included)",
        ["corpus", "chunks", "mode", "queries", "mean", "p50", "p95", "p95 short", "p95 long", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
