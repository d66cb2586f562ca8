"""Shared helpers for the knowledge-base benchmarks: paths, offline environment, corpora, tables."""

from __future__ import annotations

import os
import random
import re
import statistics
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TAU3 = REPO.parent / "shared" / "datasets" / "tau3_banking_knowledge"
OUTPUT = REPO / "benchmarks" / "output"


def offline_environment(cores: int | None = 2) -> None:
    """No network, no telemetry, and (where the OS allows) only `cores` CPUs, like the target machine."""
    for name, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(name, value)
    if cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(available[:cores]))
        import torch

        torch.set_num_threads(min(cores, len(available)))


def synthesize(docs: list, scale: int, seed: int = 7) -> list:
    """`scale` copies of each document with sentences shuffled per copy: new text, same vocabulary.

    Copy 0 is the original; the others get ids `{id}~{n}` and text the embedding cache has not seen.
    """
    if scale <= 1:
        return list(docs)
    rng = random.Random(seed)
    out = list(docs)
    for copy in range(1, scale):
        for doc in docs:
            paragraphs = doc.text.split("\n\n")
            mixed = []
            for paragraph in paragraphs:
                sentences = re.split(r"(?<=[.!?])\s+", paragraph)
                rng.shuffle(sentences)
                mixed.append(" ".join(sentences))
            out.append(replace(doc, doc_id=f"{doc.doc_id}~{copy}", text="\n\n".join(mixed)))
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """The evaluation's own percentile definition (so benchmark and eval figures compare), NaN if empty."""
    from eval.metrics.latency import percentile as latency_percentile

    return latency_percentile(values, q) if values else float("nan")


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A markdown table, so results paste straight into reports."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
