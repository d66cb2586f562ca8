"""A persistent cache of document embeddings keyed by (model, text hash), and its read side.

Re-ingesting a changed folder, rebuilding a collection after a chunker change that leaves most
passages equal, or sweeping retrieval settings should not pay for the same forward pass twice.
The answer-unit warmer (`app.knowledge.warmup`) writes the cache ahead of the turns;
`PersistentVectors` reads it on the turn path.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.knowledge.embedders import Embedder

logger = logging.getLogger(__name__)

_LOOKUP_BATCH = 500


class EmbeddingCache:
    """SQLite table of float32 vectors; safe to share between processes (WAL)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, hash TEXT NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (model, hash))"
        )
        self._lock = threading.Lock()

    def get(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), _LOOKUP_BATCH):
                part = hashes[start : start + _LOOKUP_BATCH]
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({marks})",
                    [model, *part],
                )
                found.update((h, np.frombuffer(blob, dtype=np.float32)) for h, blob in rows)
        return found

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        rows = [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()]
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_with_cache(
    embedder: Embedder, cache: EmbeddingCache, texts: list[str], *, store: bool = True
) -> np.ndarray:
    """Vectors for `texts`, encoding only those the cache has not seen (in one batch); with
    store=False the new vectors are not written (a read-only lookup, as on the turn path)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get(embedder.name, list(dict.fromkeys(hashes)))
    missing = list(dict.fromkeys(h for h in hashes if h not in known))
    if missing:
        first_text = {h: t for h, t in zip(hashes, texts, strict=True)}
        fresh = embedder.embed_documents([first_text[h] for h in missing])
        new = dict(zip(missing, fresh, strict=True))
        if store:
            cache.put(embedder.name, new)
        known.update(new)
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack([known[h] for h in hashes]).astype(np.float32, copy=False)


class PersistentVectors(Embedder):
    """Document vectors from the persistent cache when it has them, from the model otherwise.

    The in-memory LRU asks it on a miss. Read-only: only the warmer fills the cache, so a customer's
    attachment sentences stay in memory. Query vectors always come from the model (the LRU in front
    keeps those). A cache that cannot be read (locked too long, damaged) costs a forward pass, never
    the turn.
    """

    def __init__(self, inner: Embedder, cache: Callable[[], EmbeddingCache]) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._cache = cache  # a getter: the knowledge base opens its cache lazily and may reopen it

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        try:
            return embed_with_cache(self.inner, self._cache(), texts, store=False)
        except sqlite3.Error as exc:
            logger.warning("embedding cache unreadable; embedding directly", extra={"error": str(exc)})
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)
