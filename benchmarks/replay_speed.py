"""Replay speed: DSTC11 Track 5 dev instances through the real SupportDesk with the offline model.

    .venv/bin/python -m benchmarks.replay_speed [--path ../shared/datasets/dstc11_track5] [--split val_dev]

The knowledge base is built (or taken from the eval cache) first and timed apart, so the figure
that matters - replayed instances per second - measures the agent loop: history seeding, query
construction, retrieval, the offline answer and the database writes. Target: the 418 dev instances
in under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks._common import offline_environment

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO.parent / "shared" / "datasets" / "dstc11_track5"
TARGET_SECONDS = 120.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="DSTC11 Track 5 folder")
    parser.add_argument("--split", default="val_dev")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=REPO / "benchmarks" / "output" / "replay-data")
    return parser.parse_args()


def main() -> None:
    offline_environment(cores=None)
    from app.settings import load_settings
    from eval.datasets.loader import load_dataset
    from eval.kb_cache import prepare_knowledge
    from eval.metrics.latency import latency_metrics
    from eval.replay import replay
    from eval.runner import replay_settings

    args = parse_args()
    output = args.data_dir / "run"
    settings = replay_settings(load_settings(data_dir=args.data_dir, chat_provider="offline"), output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "replay.db").unlink(missing_ok=True)
    dataset = load_dataset(f"dstc:{args.path}", settings=settings, split=args.split, limit=args.limit)

    started = time.perf_counter()
    kb = prepare_knowledge(dataset.knowledge, settings, progress=True)
    kb_seconds = time.perf_counter() - started

    from app.agent.desk import SupportDesk

    started = time.perf_counter()
    desk = SupportDesk.from_settings(settings, kb=kb)
    warm = replay(desk, dataset.dialogues[:1], progress=False)  # loads the model and warms caches
    warm_seconds = time.perf_counter() - started

    started = time.perf_counter()
    records = replay(desk, dataset.dialogues, progress=True)
    seconds = time.perf_counter() - started
    latency = latency_metrics([record.latency_ms for record in records])
    rows = [
        ("instances", f"{len(dataset.dialogues)}"),
        ("knowledge base (build or cache)", f"{kb_seconds:.1f} s"),
        ("desk start + first turn", f"{warm_seconds:.1f} s ({len(warm)} turn)"),
        ("replay", f"{seconds:.1f} s"),
        ("instances/s", f"{len(dataset.dialogues) / seconds:.2f}"),
        ("turn latency p50 / p95", f"{latency['latency/p50_ms']:.1f} / {latency['latency/p95_ms']:.1f} ms"),
        ("errors", f"{sum(record.error is not None for record in records)}"),
        (f"target < {TARGET_SECONDS:.0f} s", "met" if seconds < TARGET_SECONDS else "MISSED"),
    ]
    print(f"\nReplay speed: {dataset.name}, offline provider, {os.cpu_count()} CPUs\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
