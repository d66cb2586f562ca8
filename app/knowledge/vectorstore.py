"""ChromaDB behind the few calls the knowledge base needs.

Embedded (`PersistentClient` under the data directory) by default, a Chroma server when
`settings.chroma_host` is set. We compute embeddings ourselves, so the collection has no
embedding function and Chroma never tries to download one. Cosine space.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from app.errors import StoreUnavailableError
from app.knowledge.documents import Chunk, MetadataValue

logger = logging.getLogger(__name__)

ENTITY_KEY = "entity"


def store_metadata(chunk: Chunk) -> dict[str, MetadataValue]:
    """Chroma metadata of a chunk; the same dict the in-memory filters see.

    `entity` is always present ("" when the document names none), so an entity filter can
    keep general documents: {"entity": {"$in": [name, ""]}}.
    """
    meta: dict[str, MetadataValue] = {k: v for k, v in chunk.metadata.items() if _storable(v)}
    meta.setdefault(ENTITY_KEY, "")
    meta.update(
        doc_id=chunk.doc_id,
        position=chunk.position,
        title=chunk.title,
        section=chunk.section,
        source=chunk.source,
    )
    return meta


def _storable(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def collection_name(base: str, model: str, chunker: str) -> str:
    """A Chroma-valid name that records the embedding model and chunker, so a change re-indexes."""
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", f"{base}--{model}--{chunker}").strip("-").lower()
    return slug[:200] if len(slug) >= 3 else f"kb-{slug}"


class CorruptStoreError(StoreUnavailableError):
    """The embedded vector store's files are damaged; the message says which folder and what to do."""


class ChromaStore:
    """One Chroma collection; the client is created on first use."""

    def __init__(self, name: str, *, path: str, ef_search: int, host: str | None = None) -> None:
        self.name = name
        self.path = path
        self.host = host
        self.ef_search = ef_search  # settings.hnsw_ef_search
        self._client: Any = None
        self._collection: Any = None

    @property
    def location(self) -> str:
        return f"http://{self.host}" if self.host else self.path

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._call(self._open_collection)
        return self._collection

    def _open_collection(self) -> Any:
        """The collection, searched with `ef_search` candidates (set again on a collection created
        with another value: Chroma keeps the value a collection was created with)."""
        hnsw = {"space": "cosine", "ef_search": self.ef_search}
        collection = self._open_client().get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": hnsw}
        )
        if (collection.configuration_json.get("hnsw") or {}).get("ef_search") != self.ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": self.ef_search}})
        return collection

    def _open_client(self) -> Any:
        if self._client is None:
            import chromadb

            options = chromadb.Settings(anonymized_telemetry=False)
            if self.host:
                host, _, port = self.host.rpartition(":")
                self._client = chromadb.HttpClient(host=host, port=int(port), settings=options)
            else:
                self._client = _open_persistent(chromadb, self.path, options)
        return self._client

    def _call(self, action: Any) -> Any:
        """Run a Chroma call, turning connection failures into a clear, user-facing error."""
        try:
            return action()
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if self.host and _looks_like_connection_error(exc):
                raise StoreUnavailableError(
                    f"The Chroma server at {self.host} cannot be reached ({type(exc).__name__}). "
                    "Start it (chroma run ...) or unset SUPPORT_CHROMA_HOST to use the embedded store."
                ) from None
            raise

    def heartbeat(self) -> bool:
        try:
            self._call(lambda: self._open_client().heartbeat())
            return True
        except Exception:
            return False

    def count(self) -> int:
        return int(self._call(lambda: self.collection.count()))

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        limit = self._call(lambda: self._open_client().get_max_batch_size())
        for start in range(0, len(chunks), limit):
            part = chunks[start : start + limit]
            self._call(
                lambda part=part, start=start: self.collection.upsert(
                    ids=[c.chunk_id for c in part],
                    embeddings=vectors[start : start + len(part)],
                    documents=[c.index_text for c in part],
                    metadatas=[store_metadata(c) for c in part],
                )
            )

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            self._call(lambda part=part: self.collection.delete(where={"doc_id": {"$in": part}}))

    def delete_ids(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            self._call(lambda part=part: self.collection.delete(ids=part))

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, page = 0, 5000
        while True:
            batch = self._call(
                lambda offset=offset: self.collection.get(include=[], limit=page, offset=offset)
            )
            ids.update(batch["ids"])
            if len(batch["ids"]) < page:
                return ids
            offset += page

    def query(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""
        if n <= 0:
            return []
        result = self._call(
            lambda: self.collection.query(
                query_embeddings=[vector], n_results=n, where=where or None, include=["distances"]
            )
        )
        return [
            (cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        result = self._call(lambda: self.collection.get(ids=list(ids), include=["embeddings"]))
        return {
            cid: np.asarray(v, dtype=np.float32)
            for cid, v in zip(result["ids"], result["embeddings"], strict=True)
        }


def _open_persistent(chromadb: Any, path: str, options: Any) -> Any:
    """The embedded client; a damaged store is a clear error that names the folder and the fix.

    Chroma's Rust core panics on some damaged SQLite files (a `PanicException`, which derives
    from BaseException) and prints its own backtrace on stderr; that text is held back and only
    logged, so a person sees one actionable message.
    """
    held: list[str] = []
    try:
        with _held_stderr(held):
            return chromadb.PersistentClient(path=path, settings=options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3's PanicException is a BaseException
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        logger.error(
            "vector store unreadable", extra={"path": path, "error": detail, "stderr": "".join(held)[:500]}
        )
        raise CorruptStoreError(
            f"The vector store in {path} is damaged and cannot be opened ({detail}). To fix it, stop the "
            f"server, move that folder aside (mv {path} {path}.damaged) and start again: documents whose "
            "source files still exist (the demo folder, staff uploads kept under the data folder) are "
            "ingested again, and /healthz lists any that cannot be."
        ) from None


@contextmanager
def _held_stderr(held: list[str]) -> Iterator[None]:
    """Send file descriptor 2 to a temporary file for the block and append what was written to
    `held`; it is passed on to stderr afterwards unless the block raised."""
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            held.append(sink.read().decode("utf-8", "replace"))
            if not failed and held[-1]:
                sys.stderr.write(held[-1])


def _looks_like_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("connect", "timeout", "refused", "unreachable", "could not"))
