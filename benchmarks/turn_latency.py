"""Offline turn latency: the real agent, offline model, hybrid retrieval over the demo help centre, SQLite.

Ingests the demo knowledge base into a temporary folder (or --data-dir), runs the answer-unit
warm-up (`SupportDesk.warm_answer_units`, waiting for it: every sentence vector into the persistent
cache), a few warm-up turns, then answers each question in a fresh conversation and prints p50/p95
per phase. Target: p95 under 150 ms. The in-memory vector cache is emptied before the timed turns
(as after a restart), and turns are reported twice more: cold (the turn encoded a sentence) and
warm (no sentence encoded: from memory or from the persistent cache).

    .venv/bin/python -m benchmarks.turn_latency [--turns 60] [--warmup 5] [--stream]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
QUESTIONS = (
    "How much is the Plus plan?",
    "How do I reset my password?",
    "How long does a refund take?",
    "Do you deliver to Germany?",
    "How do I cancel my Club membership?",
    "What happens if my payment fails?",
    "How do I start a return?",
    "How do I track my order?",
    "Can I pay with PayPal?",
    "How do I turn on two-factor authentication?",
    "What is the capital of Mongolia?",
    "My parcel arrived damaged, what should I do?",
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class CountingModel:
    """The embedding model, counting the sentences and queries it encodes (forward passes)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.sentences = self.queries = 0

    def embed_documents(self, texts: list[str]):
        self.sentences += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str):
        self.queries += 1
        return self.inner.embed_query(text)


async def one_turn(desk, question: str, *, stream: bool) -> tuple[float, float, bool]:
    """Wall time of one turn, the time spent in knowledge-base searches (ms), and whether it was cold
    (the model encoded a sentence during the turn)."""
    model = desk.kb.embedder
    encoded = model.sentences
    conversation = desk.start_conversation("bench")
    started = time.perf_counter()
    if stream:
        async for event in desk.stream_reply(conversation, question):
            result = getattr(event, "result", None)
    else:
        result = await desk.reply(conversation, question)
    elapsed = (time.perf_counter() - started) * 1000
    search_ms = sum(call.duration_ms for call in result.tool_calls if call.name == "search_knowledge_base")
    return elapsed, search_ms, model.sentences > encoded


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    from tqdm import tqdm

    from app.agent.desk import SupportDesk
    from app.knowledge.base import KnowledgeBase
    from app.knowledge.embedders import load_embedder
    from app.settings import load_settings

    settings = load_settings(
        data_dir=data_dir, knowledge_dir=REPO_ROOT / "datasets" / "knowledge_base", log_level="WARNING"
    )
    model = CountingModel(load_embedder(settings))
    kb = KnowledgeBase.from_settings(settings, embedder=model)
    started = time.perf_counter()
    kb.ingest_path(settings.knowledge_dir, progress=True)
    print(f"ingest: {time.perf_counter() - started:.1f} s, {kb.stats().get('chunks', '?')} chunks")
    desk = SupportDesk.from_settings(settings, kb=kb)
    started = time.perf_counter()
    warmer = desk.finish_warm_up()
    print(
        f"answer-unit warm-up: {time.perf_counter() - started:.1f} s, {warmer.encoded} sentences encoded, "
        f"{warmer.found} already cached"
    )
    for index in range(args.warmup):
        await one_turn(desk, QUESTIONS[index % len(QUESTIONS)], stream=args.stream)
    desk.kb.cached_embedder.clear()  # warm process and model, cold in-memory cache (as after a restart)
    misses, sentences, queries = desk.kb.cached_embedder.misses, model.sentences, model.queries
    turns, searches, cold = [], [], []
    for index in tqdm(range(args.turns), desc="turns"):
        total, search, missed = await one_turn(desk, QUESTIONS[index % len(QUESTIONS)], stream=args.stream)
        turns.append(total)
        searches.append(search)
        cold.append(missed)
    desk.close()
    print_table(turns, searches, cold, args)
    encoded, queried = model.sentences - sentences, model.queries - queries
    from_disk = desk.kb.cached_embedder.misses - misses - queried - encoded
    print(
        f"timed turns: {from_disk} sentence vectors read from the persistent cache, {encoded} encoded; "
        f"{queried} queries encoded"
    )


def print_table(
    turns: list[float], searches: list[float], cold: list[bool], args: argparse.Namespace
) -> None:
    mode = "stream_reply" if args.stream else "reply"
    warm = [t for t, c in zip(turns, cold, strict=True) if not c]
    print(f"\noffline turn latency ({mode}, {args.turns} turns after {args.warmup} warm-up, ms)")
    print(f"{'phase':<30}{'n':>5}{'p50':>9}{'p95':>9}{'mean':>9}{'max':>9}")
    rows = (
        ("whole turn (all)", turns),
        ("  cold (a sentence encoded)", [t for t, c in zip(turns, cold, strict=True) if c]),
        ("  warm (no sentence encoded)", warm),
        ("search_knowledge_base", searches),
    )
    for name, values in rows:
        figures = (
            f"{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}"
            f"{statistics.fmean(values):>9.1f}{max(values):>9.1f}"
            if values
            else ""
        )
        print(f"{name:<30}{len(values):>5}{figures}")
    for name, values in (("all turns", turns), ("warm turns", warm)):
        if values:
            verdict = "OK" if percentile(values, 95) < 150 else "OVER TARGET"
            print(f"target p95 < 150 ms, {name}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--stream", action="store_true", help="measure stream_reply instead of reply")
    parser.add_argument("--data-dir", type=Path, help="keep the index here (default: a temporary folder)")
    args = parser.parse_args()
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(REPO_ROOT))
    if args.data_dir:
        asyncio.run(run(args, args.data_dir))
        return
    with tempfile.TemporaryDirectory(prefix="turn-latency-") as folder:
        asyncio.run(run(args, Path(folder)))


if __name__ == "__main__":
    main()
