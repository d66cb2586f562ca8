"""Answer-unit vectors ahead of time, so the offline model's turns rarely wait for a forward pass.

The offline model ranks the answer units (sentences, bullet items, table rows) of the passages a
search returns. A unit it has never seen costs a forward pass inside the turn: a cold turn, ten to
forty times slower than a warm one. `AnswerUnitWarmer` embeds every unit of every chunk in a
background daemon thread - small batches, lower CPU priority, pauses that let a turn take the model -
into the persistent embedding cache (keyed by model and text hash), so turns find them there, and a
restarted process needs no recompute. Incremental: chunks already warmed are not split again, and
units already in the cache are not embedded again.

The read side (`app.knowledge.embedding_cache.PersistentVectors`) never writes: only the warmer
fills the cache, so a customer's attachment sentences stay in memory.

The unit splitter is passed in by the caller (the chat model that ranks units owns it), never
copied here; the knowledge base does not depend on the agent. Ownership runs one way: the caller
of `warm_answer_units` (the offline chat model, for the `SupportDesk` that holds the result) owns
the warmer; the knowledge base only tells its followers about new chunks and closing
(`KnowledgeBase.follow`), and this module reads it through the `Warmable` protocol.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Protocol

from tqdm import tqdm

from app.knowledge.catalog import Catalog
from app.knowledge.embedders import Embedder
from app.knowledge.embedding_cache import EmbeddingCache, text_hash

logger = logging.getLogger(__name__)

Splitter = Callable[[str], list[str]]
"""text -> its answer units, exactly as the chat model splits a passage."""

BATCH = 16  # small: a turn waits for at most one batch to finish before it gets the model
PAUSE_S = 0.02  # between batches, so a waiting turn takes the model lock first
NICE = 10


class Warmable(Protocol):
    """What the warmer reads from a knowledge base: its chunks, its embedder and its persistent cache.

    A protocol rather than the knowledge base itself: the warmer needs these four parts, not the
    knowledge base's ingestion or retrieval."""

    name: str

    @property
    def embedder(self) -> Embedder: ...

    @property
    def cache(self) -> EmbeddingCache: ...

    def catalog(self) -> Catalog: ...

    def follow(self, follower: AnswerUnitWarmer) -> None: ...


def warm_answer_units(kb: Warmable, split: Splitter, *, progress: bool = False) -> AnswerUnitWarmer:
    """Embed every answer unit (as `split` cuts a chunk) into the persistent cache in a background
    thread, and from now on the units of chunks later ingested into `kb`; returns at once.
    Optional: ingestion alone never does this, so its throughput is the model's."""
    warmer = AnswerUnitWarmer(kb, split, progress=progress)
    kb.follow(warmer)
    warmer.request()
    return warmer


class AnswerUnitWarmer:
    """Fills the persistent cache with the vectors of every answer unit of a knowledge base's chunks.

    `request()` starts a pass in a daemon thread and returns at once; a request during a pass runs one
    more pass after it (new chunks may have arrived). `wait()` is for replays, benchmarks and tests.
    """

    def __init__(
        self,
        kb: Warmable,
        split: Splitter,
        *,
        batch_size: int = BATCH,
        pause_s: float = PAUSE_S,
        progress: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.kb = kb
        self.split = split
        self.batch_size = batch_size
        self.pause_s = pause_s
        self.progress = progress
        self.encoded = 0  # units this warmer embedded
        self.found = 0  # units it found already cached (a restart, or shared with another collection)
        self.passes = 0
        self._warm: set[str] = set()  # text hashes of chunks whose units are all cached
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = threading.Event()

    def request(self) -> None:
        """Warm whatever is not warm yet, in the background; never blocks."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._idle.clear()
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="answer-unit-warmup", daemon=True)
            # A daemon thread still inside torch when the interpreter finalizes aborts the process
            # ("terminate called without an active exception"): finish the current batch first.
            atexit.register(self.stop)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether every requested pass has finished (within `timeout` seconds)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """End the work after the current batch (the knowledge base is closing)."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        _lower_priority(NICE)
        while True:
            with self._lock:
                self._again = False
            try:
                self._pass()
            except Exception:  # a failed warm-up costs speed, never a turn: log and let turns embed
                logger.exception("answer-unit warm-up failed", extra={"collection": self.kb.name})
            with self._lock:
                if not self._again or self._stopping.is_set():
                    self._thread = None
                    self._idle.set()
                    return

    def _pass(self) -> None:
        """One pass: split the chunks not yet warm, embed the units the cache lacks, batch by batch."""
        started = time.perf_counter()
        pending = {text_hash(chunk.text): chunk.text for chunk in self.kb.catalog().chunks}
        pending = {key: text for key, text in pending.items() if key not in self._warm}
        units = list(dict.fromkeys(unit for text in pending.values() for unit in self.split(text)))
        todo = self._uncached(units)
        for start in tqdm(
            range(0, len(todo), self.batch_size), desc="warm-up", unit="batch", disable=not self.progress
        ):
            if self._stopping.is_set():
                return
            self._embed(todo[start : start + self.batch_size])
            time.sleep(self.pause_s)
        self._warm.update(pending)
        self.passes += 1
        logger.info(
            "answer units warmed",
            extra={
                "collection": self.kb.name,
                "chunks": len(pending),
                "units": len(units),
                "embedded": len(todo),
                "seconds": round(time.perf_counter() - started, 2),
            },
        )

    def _uncached(self, units: list[str]) -> list[tuple[str, str]]:
        """(hash, unit) for the units the persistent cache has no vector for."""
        keyed = [(text_hash(unit), unit) for unit in units]
        known = self.kb.cache.get(self.kb.embedder.name, [key for key, _ in keyed])
        self.found += len(known)
        return [(key, unit) for key, unit in keyed if key not in known]

    def _embed(self, batch: list[tuple[str, str]]) -> None:
        embedder = self.kb.embedder
        vectors = embedder.embed_documents([unit for _, unit in batch])
        self.kb.cache.put(
            embedder.name, {key: vector for (key, _), vector in zip(batch, vectors, strict=True)}
        )
        self.encoded += len(batch)


def _lower_priority(nice: int) -> None:
    """Let turns have the CPU first (on Linux a thread has its own nice value; elsewhere a no-op)."""
    try:
        thread_id = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread_id, os.getpriority(os.PRIO_PROCESS, thread_id) + nice)
    except (AttributeError, OSError):
        pass
