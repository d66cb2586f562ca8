"""`KnowledgeBase`: ingestion and hybrid retrieval over one Chroma collection.

Ingestion: load → chunk → embed (cached) → Chroma → manifest, in groups of documents so the
embedding model sees full batches. Retrieval: dense (Chroma) and BM25 (bm25s) over the same
chunks, fused with weighted reciprocal rank fusion, optionally diversified with MMR, focused on
the entity under discussion when documents name one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from tqdm import tqdm

from app.knowledge.catalog import Catalog
from app.knowledge.chunking import CHUNKER_VERSION, chunk_document
from app.knowledge.documents import Chunk, DocumentInfo, Hit, IngestSummary, SourceDocument
from app.knowledge.embedders import CachedEmbedder, Embedder, load_embedder
from app.knowledge.embedding_cache import EmbeddingCache, PersistentVectors, embed_with_cache
from app.knowledge.loaders import load_path
from app.knowledge.manifest import LostDocument, Manifest, manifest_url
from app.knowledge.memory import QuestionMemory
from app.knowledge.retrieval import Request, Retriever, as_hit
from app.knowledge.selection import FEATURES, SelectionModel
from app.knowledge.vectorstore import ENTITY_KEY, ChromaStore, collection_name
from app.knowledge.vocabulary import Vocabulary
from app.settings import Settings

logger = logging.getLogger(__name__)

GROUP_CHUNKS = 256  # chunks embedded and written together: full batches, bounded loss on a crash
PENDING_GRACE = timedelta(minutes=15)  # a shared manifest's pending mark older than this is abandoned
ProgressCallback = Callable[[int, int], None]
_Item = tuple[SourceDocument, str, list[Chunk]]  # document, content hash, its chunks


@dataclass
class _Plan:
    """What one ingestion run will do."""

    write: list[tuple[SourceDocument, str]] = field(default_factory=list)  # (doc, content hash)
    remove: list[str] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    summary: IngestSummary = field(default_factory=IngestSummary)


class Follower(Protocol):
    """Background work that follows the documents (see `KnowledgeBase.follow`)."""

    def request(self) -> None:
        """New chunks were written: catch up, without blocking the ingestion."""

    def stop(self) -> None:
        """The knowledge base is closing: end the work that uses its files."""


class KnowledgeBase:
    """Documents in, ranked chunks out. Heavy parts (model, Chroma client, BM25) load on first use."""

    def __init__(
        self, settings: Settings, *, collection: str | None = None, embedder: Embedder | None = None
    ):
        self.settings = settings
        self._embedder = embedder
        model = embedder.name if embedder else settings.embedding_model
        self.embedder_name = model  # the vectors' model (selection weights are fitted per embedder)
        chunker = f"c{CHUNKER_VERSION}-{settings.chunk_size}-{settings.chunk_overlap}"
        self.name = collection_name(collection or settings.collection, model, chunker)
        self._folder = Path(settings.data_dir) / "knowledge"
        self.store = ChromaStore(
            self.name,
            path=str(settings.chroma_path),
            host=settings.chroma_host,
            ef_search=settings.hnsw_ef_search,
        )
        self._manifest: Manifest | None = None
        self._cache: EmbeddingCache | None = None
        self._catalog: Catalog | None = None
        self._cached: CachedEmbedder | None = None
        self._lock = threading.RLock()
        self._followers: list[Follower] = []
        self._selection: SelectionModel | None = None
        self._memory: QuestionMemory | None = None
        self._memory_read = False

    @classmethod
    def from_settings(
        cls, settings: Settings, *, collection: str | None = None, embedder: Embedder | None = None
    ) -> KnowledgeBase:
        return cls(settings, collection=collection, embedder=embedder)

    # --- lazily built parts ----------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def cached_embedder(self) -> CachedEmbedder:
        """The embedder behind an in-memory LRU, for per-query work: search queries and the offline
        model's answer sentences repeat across turns (ingestion uses the persistent cache instead).
        A document miss is looked up in the persistent cache (which the warm-up fills) before the model."""
        with self._lock:
            if self._cached is None:
                self._cached = CachedEmbedder(
                    PersistentVectors(self.embedder, lambda: self.cache),
                    max_entries=self.settings.embedding_lru_size,
                )
            return self._cached

    @property
    def manifest(self) -> Manifest:
        with self._lock:
            if self._manifest is None:
                file = self._folder / f"{self.name}.manifest.sqlite3"
                shared = self.settings.chroma_host is not None
                self._manifest = Manifest(manifest_url(file, self.settings.database_url, shared), self.name)
                self._reconcile(self._manifest)
            return self._manifest

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            self._cache = EmbeddingCache(self._folder / "embedding-cache.sqlite3")
        return self._cache

    def catalog(self) -> Catalog:
        """The current snapshot, rebuilt when another run (or process) changed the manifest."""
        with self._lock:
            version = self.manifest.version()
            if self._catalog is None or self._catalog.version != version:
                self._catalog = Catalog.load(self.manifest, self._folder / f"{self.name}.bm25")
            return self._catalog

    def _reconcile(self, manifest: Manifest) -> None:
        """Finish what a killed run left behind: wipe and forget half-written documents.

        Pending marks name documents whose vectors may be partly written. A count mismatch
        means Chroma and the manifest disagree some other way (a store deleted by hand, a crash
        between the two writes): compare ids and make the manifest the truth. A manifest shared by
        several hosts may hold another host's ingestion in progress: there only marks older than
        PENDING_GRACE count as abandoned, and nothing else is touched while any mark is fresh.
        """
        if manifest.shared and manifest.pending():  # another host may be ingesting right now
            abandoned = manifest.pending(older_than=PENDING_GRACE)
            if abandoned:
                self.store.delete_documents(abandoned)
                manifest.forget(abandoned)
            return
        pending = manifest.pending()
        if pending:
            self.store.delete_documents(pending)
            manifest.forget(pending)
            logger.warning("cleaned up an interrupted ingestion", extra={"documents": len(pending)})
        if self.store.count() == manifest.counts()[1]:
            return
        in_store, committed = self.store.all_ids(), manifest.chunk_ids()
        stray = sorted(in_store - committed)
        lost_docs = manifest.docs_of_chunks(committed - in_store)
        self.store.delete_ids(stray)
        manifest.forget(sorted(lost_docs), lost=True)  # restore_lost() brings them back from their origin
        logger.warning(
            "vector store and manifest reconciled",
            extra={"stray_chunks": len(stray), "documents_to_reingest": len(lost_docs)},
        )

    # --- durability ------------------------------------------------------------------------
    def lost_documents(self) -> list[LostDocument]:
        """Documents whose vectors vanished and that were not restored (yet)."""
        return self.manifest.lost()

    def restore_lost(self) -> IngestSummary:
        """Ingest lost documents again from the folder or file they came from, when it still holds
        them (the demo folder, staff uploads kept under the data folder); the rest stay lost."""
        summary = IngestSummary()
        by_origin: dict[str, set[str]] = {}
        for doc in self.lost_documents():
            by_origin.setdefault(doc.origin, set()).add(doc.doc_id)
        for origin, doc_ids in by_origin.items():
            if not origin or not Path(origin).exists():
                logger.warning("lost documents cannot be restored", extra={"documents": len(doc_ids)})
                continue
            loaded = load_path(origin)
            docs = [doc for doc in loaded.documents if doc.doc_id in doc_ids]
            part = self._ingest(docs, origin=origin, prune_scope=None, progress=False, on_progress=None)
            summary.added += part.added
            summary.chunks += part.chunks
            summary.errors.extend(part.errors)
        return summary

    # --- ingestion -------------------------------------------------------------------------
    def ingest_path(
        self,
        path: str | Path,
        *,
        prune: bool = True,
        progress: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> IngestSummary:
        """Ingest a file or folder; with prune, documents that vanished from that folder are removed."""
        root = Path(path).expanduser().resolve()
        loaded = load_path(root)
        keep = {doc.doc_id for doc in loaded.documents} | loaded.failed_ids
        origin = str(root)
        scope = (lambda doc_id, doc_origin: doc_origin == origin and doc_id not in keep) if prune else None
        summary = self._ingest(
            loaded.documents, origin=origin, prune_scope=scope, progress=progress, on_progress=on_progress
        )
        summary.errors[:0] = loaded.errors
        return summary

    def ingest_documents(
        self,
        docs: Iterable[SourceDocument],
        *,
        prune: bool = False,
        progress: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> IngestSummary:
        """Ingest documents from an importer; with prune, every other document is removed."""
        docs = list(docs)
        keep = {doc.doc_id for doc in docs}
        scope = (lambda doc_id, _origin: doc_id not in keep) if prune else None
        return self._ingest(docs, origin="", prune_scope=scope, progress=progress, on_progress=on_progress)

    def _ingest(
        self,
        docs: list[SourceDocument],
        *,
        origin: str,
        prune_scope: Callable[[str, str], bool] | None,
        progress: bool,
        on_progress: ProgressCallback | None,
    ) -> IngestSummary:
        started = time.perf_counter()
        with self._lock:
            plan = self._plan(docs, prune_scope)
            done = len(docs) - len(plan.write)
            with tqdm(total=len(docs), initial=done, desc="ingest", unit="doc", disable=not progress) as bar:
                for group in self._groups(plan.write):
                    self._write(group, origin, plan.existing)
                    plan.summary.chunks += sum(len(chunks) for _, _, chunks in group)
                    done += len(group)
                    bar.update(len(group))
                    if on_progress:
                        on_progress(done, len(docs))
            if plan.remove:
                self._delete(plan.remove)
            self.catalog()  # rebuild and save BM25 now, not on the first query
        if plan.write:
            for follower in list(self._followers):
                follower.request()  # e.g. the answer-unit warm-up: warm the new chunks too
        summary = plan.summary
        summary.seconds = time.perf_counter() - started
        logger.info(
            "ingestion finished: " + summary.line(),
            extra={"collection": self.name, **{k: v for k, v in vars(summary).items() if k != "errors"}},
        )
        return summary

    def _groups(self, write: list[tuple[SourceDocument, str]]) -> Iterable[list[_Item]]:
        """Chunk documents lazily and hand them out in groups of about GROUP_CHUNKS chunks."""
        group: list[_Item] = []
        size = 0
        for doc, content_hash in write:
            chunks = chunk_document(doc, size=self.settings.chunk_size, overlap=self.settings.chunk_overlap)
            group.append((doc, content_hash, chunks))
            size += len(chunks)
            if size >= GROUP_CHUNKS:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _plan(self, docs: list[SourceDocument], prune_scope: Callable[[str, str], bool] | None) -> _Plan:
        plan = _Plan()
        hashes = self.manifest.hashes()
        plan.existing = set(hashes)
        seen: set[str] = set()
        for doc in docs:
            if doc.doc_id in seen:
                plan.summary.errors.append(f"{doc.source}: duplicate document id {doc.doc_id!r}; skipped")
                continue
            seen.add(doc.doc_id)
            content_hash = doc.content_hash(self.name)
            if hashes.get(doc.doc_id) == content_hash:
                plan.summary.skipped += 1
                continue
            plan.write.append((doc, content_hash))
            if doc.doc_id in hashes:
                plan.summary.updated += 1
            else:
                plan.summary.added += 1
        if prune_scope is not None:
            plan.remove = sorted(
                d for d, o in self.manifest.origins().items() if d not in seen and prune_scope(d, o)
            )
            plan.summary.removed = len(plan.remove)
        return plan

    def _write(self, group: list[_Item], origin: str, existing: set[str]) -> None:
        """Pending mark → old vectors out → new vectors in → manifest commit (see manifest.py)."""
        ids = [doc.doc_id for doc, _, _ in group]
        self.manifest.mark_pending(ids)
        replaced = [doc_id for doc_id in ids if doc_id in existing]
        if replaced:
            self.store.delete_documents(replaced)
        chunks = [chunk for _, _, doc_chunks in group for chunk in doc_chunks]
        if chunks:
            vectors = embed_with_cache(self.embedder, self.cache, [c.index_text for c in chunks])
            self.store.upsert(chunks, vectors)
        self.manifest.commit(
            [(doc, content_hash, origin, doc_chunks) for doc, content_hash, doc_chunks in group]
        )

    def follow(self, follower: Follower) -> None:
        """Keep `follower` in step with the documents: it is asked to catch up after each ingestion
        that wrote chunks, and stopped before this knowledge base closes. Its state is its own
        (the answer-unit warm-up, warmup.py, is built and held by the desk that asked for it)."""
        self._followers.append(follower)

    def _delete(self, doc_ids: list[str]) -> None:
        self.manifest.mark_pending(doc_ids)
        self.store.delete_documents(doc_ids)
        self.manifest.forget(doc_ids)

    def remove(self, doc_id: str) -> bool:
        """Remove one document; False when it was not there."""
        with self._lock:
            if doc_id not in self.manifest.hashes():
                return False
            self._delete([doc_id])
            return True

    # --- retrieval (the pipeline and its steps: retrieval.py, rankers.py) -----------------------
    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: dict[str, Any] | None = None,
        context: Sequence[str] = (),
        unique_docs: bool = False,
        query_context: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The k best chunks for a query, best first. When an entity is tracked (and
        settings.knowledge_selection), the set of its snippets that answers the question comes first,
        marked `selected`, and the list holds max(k, size of that set) hits (see selection.py).

        context: earlier dialogue turns, oldest first; they extend the query (settings.query_strategy)
        and name the entity under discussion (settings.entity_tracking). unique_docs: at most one
        chunk per document (the best), for document-level results. query_context: the turns that
        extend the query instead of `context` (the customer's own), while `context` still names the entity.
        Scores: dense = cosine similarity, bm25 = BM25 score, hybrid = fused score in [0, 1].
        """
        request = Request(
            query=query,
            k=k or self.settings.top_k,
            mode=mode or self.settings.retrieval_mode,
            where=filters,
            context=context,
            unique_docs=unique_docs,
            query_context=query_context,
        )
        return self.retriever().search(request)

    def retriever(self) -> Retriever:
        """The search pipeline over this knowledge base's parts and current settings."""
        return Retriever(
            self.settings,
            self.store,
            embed_query=self._embed_query,
            embedder_name=self.embedder_name,
            selection_model=lambda: self.selection_model,
            catalog=self.catalog,
            question_memory=lambda: self.question_memory,
        )

    def _embed_query(self, text: str) -> np.ndarray:
        return self.cached_embedder.embed_query(text)

    # --- knowledge selection ---------------------------------------------------------------
    def select_snippets(self, query: str, context: Sequence[str] = ()) -> list[Hit]:
        """The snippets of the tracked entity that answer `query`: a set, most probable first, each
        with its probability as score (see selection.py); [] when the dialogue names no entity."""
        retriever, catalog = self.retriever(), self.catalog()
        entity = retriever.tracked_entity(catalog, query, context) if catalog.chunks else None
        if entity is None or not query.strip():
            return []
        entities = retriever.discussed_entities(catalog, query, context, entity)
        return retriever.selected_of(catalog, query.strip(), entities, None)

    def tracked_entity(self, query: str, context: Sequence[str] = ()) -> str | None:
        """The entity `search` focuses on for this query and dialogue (None: none tracked)."""
        catalog = self.catalog()
        return self.retriever().tracked_entity(catalog, query, context) if catalog.chunks else None

    @property
    def selection_model(self) -> SelectionModel:
        if self._selection is None:
            self._selection = SelectionModel.packaged()
        return self._selection

    @property
    def question_memory(self) -> QuestionMemory | None:
        """The labelled questions search fuses in (settings.question_memory_path), read on first use."""
        with self._lock:
            if not self._memory_read:
                self._memory = QuestionMemory.load(
                    self.settings.question_memory_path,
                    lambda questions: self.cached_embedder.embed_queries(questions),
                    min_similarity=self.settings.question_memory_similarity,
                    expected=self.settings.question_memory is not None,
                )
                self._memory_read = True
            return self._memory

    def similar_answers(self, message: str, *, min_similarity: float, limit: int) -> list[tuple[str, float]]:
        """The labelled answers of the memory's questions closest to `message` that are about this
        knowledge base's articles (memory.py `answers`); none without a question memory."""
        catalog = self.catalog()
        reading = self.retriever().memory_reading(catalog, message)
        if reading is None:
            return []
        memory, vector = reading
        documents = catalog.document_rows
        return memory.answers(vector, min_similarity=min_similarity, limit=limit, documents=documents)

    def known_unanswered(self, message: str, *, min_similarity: float) -> bool:
        """Whether the memory's question closest to `message` is one this help centre does not answer
        (memory.py `unanswered`); False without a question memory about this knowledge base."""
        reading = self.retriever().memory_reading(self.catalog(), message)
        if reading is None:
            return False
        memory, vector = reading
        return memory.unanswered(vector, min_similarity=min_similarity)

    def selection_candidates(
        self, query: str, context: Sequence[str] = ()
    ) -> tuple[list[Chunk], np.ndarray, np.ndarray]:
        """The tracked entity's snippets, their selection features and meaning products (for fitting
        the model)."""
        retriever, catalog = self.retriever(), self.catalog()
        entity = retriever.tracked_entity(catalog, query, context) if catalog.chunks else None
        if entity is None or not query.strip():
            return [], np.zeros((0, len(FEATURES))), np.zeros((0, 0))
        return retriever.candidates(catalog, query.strip(), entity, None)

    def get_chunk(self, chunk_id: str) -> Hit | None:
        """One chunk by id (for citations), or None."""
        catalog = self.catalog()
        row = catalog.rows.get(chunk_id)
        return None if row is None else as_hit(catalog.chunks[row], 1.0, 1)

    def document_titled(self, title: str) -> str | None:
        """The document a cross-reference names by title ("see *My parcel is late or missing*"): the
        one titled so (case aside), else the only one whose title contains it or is contained in it
        (a reference may shorten a title); None when no document or several fit."""
        wanted = " ".join(title.lower().split())
        titles = self.catalog().titles
        if wanted in titles:
            return titles[wanted]
        fits = {doc_id for name, doc_id in titles.items() if wanted in name or name in wanted}
        return fits.pop() if len(fits) == 1 else None

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """One document's chunks in document order (a help-centre article page); [] if unknown."""
        catalog = self.catalog()
        chunks = (catalog.chunks[row] for row in catalog.document_rows.get(doc_id, ()))
        return sorted(chunks, key=lambda chunk: chunk.position)

    # --- housekeeping ----------------------------------------------------------------------
    def list_documents(self) -> list[DocumentInfo]:
        return self.manifest.documents()

    def stats(self) -> dict[str, Any]:
        documents, chunks = self.manifest.counts()
        return {
            "collection": self.name,
            "documents": documents,
            "chunks": chunks,
            "vectors": self.store.count(),
            "embedding_model": self._embedder.name if self._embedder else self.settings.embedding_model,
            "store": self.store.location,
            "entities": len(set(filter(None, (m.get(ENTITY_KEY) for m in self.catalog().metadata)))),
        }

    def vocabulary(self) -> Vocabulary:
        """The plans, products and countries the help centre names (Catalog.names), current."""
        return self.catalog().names

    def names_entities(self) -> bool:
        """Whether documents are tagged with a named entity (a hotel, a restaurant: things one books)."""
        return any(meta.get(ENTITY_KEY) for meta in self.catalog().metadata)

    def is_empty(self) -> bool:
        return self.manifest.counts()[0] == 0

    def ping(self) -> bool:
        """Whether the vector store answers (for /healthz)."""
        return self.store.heartbeat()

    def close(self) -> None:
        """Release the SQLite files (Chroma's client has nothing to close)."""
        followers, self._followers = self._followers, []
        for follower in followers:
            follower.stop()  # it may write to the cache closed below
        for part in (self._manifest, self._cache):
            if part is not None:
                part.close()
        self._manifest = self._cache = self._catalog = None
