"""Ingestion throughput: how much does the pipeline add on top of the embedding model itself?

    .venv/bin/python -m benchmarks.ingest_throughput [--limit N] [--scale 10] [--cores 2]

For the τ³ articles (first N) and a synthesized corpus `scale` times larger, times (a) plain
`model.encode` over exactly the chunk texts the pipeline embeds and (b) the whole pipeline into a
fresh data folder: chunking, embedding (batched, cache misses only), Chroma upsert, manifest,
BM25. ratio = a / b; target >= 0.85 (the pipeline adds at most 15%).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks._common import TAU3, offline_environment, print_table, synthesize


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TAU3)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--scale", type=int, default=10, help="size of the synthesized corpus, in copies")
    parser.add_argument("--cores", type=int, default=2)
    return parser.parse_args()


def measure(name: str, docs: list, settings_kwargs: dict) -> list:
    from app.knowledge import KnowledgeBase, load_embedder
    from app.knowledge.chunking import chunk_document
    from app.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="kb-ingest-") as folder:
        settings = load_settings(data_dir=Path(folder), environment="test", **settings_kwargs)
        embedder = load_embedder(settings)
        texts = [
            c.index_text
            for d in docs
            for c in chunk_document(d, size=settings.chunk_size, overlap=settings.chunk_overlap)
        ]
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=settings.embedding_batch_size, normalize_embeddings=True)
        plain = time.perf_counter() - started
        kb = KnowledgeBase.from_settings(settings, embedder=embedder)
        summary = kb.ingest_documents(docs, progress=True)
        kb.close()
    ratio = plain / summary.seconds
    return [
        name,
        len(docs),
        summary.chunks,
        plain,
        summary.seconds,
        ratio,
        summary.chunks / summary.seconds,
        "ok" if ratio >= 0.85 else "BELOW 0.85",
    ]


def main() -> None:
    args = parse_args()
    offline_environment(args.cores)
    from app.knowledge import load_embedder
    from app.settings import load_settings
    from eval.datasets.tau3 import load_documents

    docs = load_documents(args.root)[: args.limit]
    load_embedder(load_settings()).embed_documents(["warm up the model"] * 8)
    rows = [
        measure("τ³ articles", docs, {}),
        measure(f"τ³ x{args.scale} synthesized", synthesize(docs, args.scale), {}),
    ]
    print_table(
        f"Ingestion throughput ({args.cores} cores, MiniLM, batch 64): plain encode vs full pipeline",
        ["corpus", "docs", "chunks", "encode s", "pipeline s", "ratio", "chunks/s", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
