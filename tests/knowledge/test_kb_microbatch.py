"""Micro-batching: concurrent query embeddings share one forward pass, and nobody gets another's vector."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.knowledge.embedders import MicroBatcher


def test_requests_arriving_during_a_batch_are_answered_together_in_order() -> None:
    started, release = threading.Event(), threading.Event()
    sizes: list[int] = []

    def run(items: list[int]) -> list[int]:
        sizes.append(len(items))
        if len(sizes) == 1:  # hold the first batch until the others have queued up behind it
            started.set()
            release.wait(10)
        return [item * 10 for item in items]

    batcher = MicroBatcher(run)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(batcher.submit, 0)
        assert started.wait(10)
        rest = [pool.submit(batcher.submit, item) for item in range(1, 8)]
        while len(batcher._queue) < 7:  # all seven are waiting for the model
            time.sleep(0.01)
        release.set()
        assert first.result(10) == 0
        assert [future.result(10) for future in rest] == [item * 10 for item in range(1, 8)]
    assert sizes == [1, 7]
    assert (batcher.batches, batcher.items) == (2, 8)


def test_a_failed_batch_fails_each_of_its_requests_and_the_next_one_works() -> None:
    calls = []

    def run(items: list[str]) -> list[str]:
        calls.append(items)
        if "boom" in items:
            raise RuntimeError("model failed")
        return [item.upper() for item in items]

    batcher = MicroBatcher(run)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.submit("boom")
    assert batcher.submit("fine") == "FINE"
    assert not batcher._busy and not batcher._queue


def test_concurrent_queries_get_the_vectors_they_would_get_alone(embedder) -> None:
    queries = [f"How do I {verb} my order number {n}?" for n in range(6) for verb in ("track", "cancel")]
    alone = np.stack([embedder.embed_query(query) for query in queries])
    before = embedder._queries.batches
    with ThreadPoolExecutor(6) as pool:
        together = np.stack(list(pool.map(embedder.embed_query, queries)))
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert embedder._queries.batches - before <= len(queries)
