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
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from app.errors import InputError
from app.knowledge.catalog import Catalog
from app.knowledge.chunking import CHUNKER_VERSION, chunk_document
from app.knowledge.documents import Chunk, DocumentInfo, Hit, IngestSummary, SourceDocument
from app.knowledge.embedders import CachedEmbedder, Embedder, load_embedder
from app.knowledge.embedding_cache import EmbeddingCache, PersistentVectors, embed_with_cache
from app.knowledge.filters import combine, validate
from app.knowledge.focus import focus
from app.knowledge.fusion import fuse_documents, mmr, reciprocal_rank_fusion
from app.knowledge.loaders import load_path
from app.knowledge.manifest import LostDocument, Manifest, manifest_url
from app.knowledge.query import build_query
from app.knowledge.selection import FEATURES, SelectionModel, select, snippet_features
from app.knowledge.vectorstore import ENTITY_KEY, ChromaStore, collection_name
from app.knowledge.warmup import AnswerUnitWarmer, Splitter
from app.settings import Settings

logger = logging.getLogger(__name__)

MODES = ("dense", "bm25", "hybrid")
GROUP_CHUNKS = 256  # chunks embedded and written together: full batches, bounded loss on a crash
FOCUS_POOL = 200  # BM25 candidates a long query's sentences are scored against (see focus.py)
PENDING_GRACE = timedelta(minutes=15)  # a shared manifest's pending mark older than this is abandoned
DOC_POOL = 20  # chunks ranked per requested document when results are collapsed to documents
ProgressCallback = Callable[[int, int], None]
_Item = tuple[SourceDocument, str, list[Chunk]]  # document, content hash, its chunks


@dataclass
class _Plan:
    """What one ingestion run will do."""

    write: list[tuple[SourceDocument, str]] = field(default_factory=list)  # (doc, content hash)
    remove: list[str] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    summary: IngestSummary = field(default_factory=IngestSummary)


class KnowledgeBase:
    """Documents in, ranked chunks out. Heavy parts (model, Chroma client, BM25) load on first use."""

    def __init__(
        self, settings: Settings, *, collection: str | None = None, embedder: Embedder | None = None
    ):
        self.settings = settings
        self._embedder = embedder
        model = embedder.name if embedder else settings.embedding_model
        chunker = f"c{CHUNKER_VERSION}-{settings.chunk_size}-{settings.chunk_overlap}"
        self.name = collection_name(collection or settings.collection, model, chunker)
        self._folder = Path(settings.data_dir) / "knowledge"
        self.store = ChromaStore(self.name, path=str(settings.chroma_path), host=settings.chroma_host)
        self._manifest: Manifest | None = None
        self._cache: EmbeddingCache | None = None
        self._catalog: Catalog | None = None
        self._cached: CachedEmbedder | None = None
        self._lock = threading.RLock()
        self._warmer: AnswerUnitWarmer | None = None
        self._warmer_lock = threading.Lock()  # not _lock: that one is held for a whole ingestion
        self._selection: SelectionModel | None = None

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
        if self._warmer is not None and plan.write:
            self._warmer.request()  # the app asked for warm answer units: warm the new chunks too
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

    def warm_answer_units(self, split: Splitter, *, progress: bool = False) -> AnswerUnitWarmer:
        """Embed every answer unit (as `split` cuts a chunk) into the persistent cache in a background
        thread, and from now on the units of chunks later ingested here; returns at once (see warmup.py).
        Optional: ingestion alone never does this, so its throughput is the model's."""
        with self._warmer_lock:
            if self._warmer is None:
                self._warmer = AnswerUnitWarmer(self, split, progress=progress)
            warmer = self._warmer
        warmer.request()
        return warmer

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

    # --- retrieval -------------------------------------------------------------------------
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
        k = k or self.settings.top_k
        mode = mode or self.settings.retrieval_mode
        if mode not in MODES:
            raise InputError(f"unknown retrieval mode {mode!r} (use one of: {', '.join(MODES)})")
        where = validate(filters)
        text = self._query_text(query, context if query_context is None else query_context)
        if not text:
            return []
        catalog = self.catalog()
        if not catalog.chunks:
            return []
        entity = self._tracked_entity(catalog, query, context)
        if entity is not None and query.strip():
            text = query.strip()  # context named the entity; its other words pull in off-topic passages
        pool = max(k * (DOC_POOL if unique_docs else 4), 20)
        focused = combine(where, _entity_filter(entity))
        ranked = self._rank(catalog, text, mode, focused, pool, per_doc=unique_docs)
        if not ranked and entity is not None:
            ranked = self._rank(catalog, text, mode, where, pool, per_doc=unique_docs)
        if self.settings.mmr:
            ranked = self._diversify(ranked, k if not unique_docs else pool)
        ranked = [(cid, score) for cid, score in ranked if score >= self.settings.min_score]
        if unique_docs:
            ranked = _best_per_doc(catalog, ranked)
        hits = [
            _hit(catalog.chunks[catalog.rows[cid]], score, rank)
            for rank, (cid, score) in enumerate(ranked[:k], start=1)
        ]
        if entity is not None and mode != "bm25" and self.settings.knowledge_selection:
            entities = catalog.entities.discussed([query, *reversed(context)])  # one or several
            hits = self._with_selection(catalog, query.strip() or text, entities or [entity], where, hits)
        return hits

    # --- knowledge selection ---------------------------------------------------------------
    def select_snippets(self, query: str, context: Sequence[str] = ()) -> list[Hit]:
        """The snippets of the tracked entity that answer `query`: a set, most probable first, each
        with its probability as score (see selection.py); [] when the dialogue names no entity."""
        catalog = self.catalog()
        entity = self._tracked_entity(catalog, query, context) if catalog.chunks else None
        if entity is None or not query.strip():
            return []
        entities = catalog.entities.discussed([query, *reversed(context)]) or [entity]
        return self._selected_of(catalog, query.strip(), entities, None)

    def tracked_entity(self, query: str, context: Sequence[str] = ()) -> str | None:
        """The entity `search` focuses on for this query and dialogue (None: none tracked)."""
        catalog = self.catalog()
        return self._tracked_entity(catalog, query, context) if catalog.chunks else None

    @property
    def selection_model(self) -> SelectionModel:
        if self._selection is None:
            self._selection = SelectionModel.packaged()
        return self._selection

    def selection_candidates(self, query: str, context: Sequence[str] = ()) -> tuple[list[Chunk], np.ndarray]:
        """The tracked entity's snippets and their selection features (for fitting the model)."""
        catalog = self.catalog()
        entity = self._tracked_entity(catalog, query, context) if catalog.chunks else None
        if entity is None or not query.strip():
            return [], np.zeros((0, len(FEATURES)))
        return self._candidates(catalog, query.strip(), entity, None)

    def _candidates(
        self, catalog: Catalog, question: str, entity: str, where: dict | None
    ) -> tuple[list[Chunk], np.ndarray]:
        """Every snippet of `entity` (that the filter keeps) with its features against the question."""
        mask = catalog.mask(combine(where, {ENTITY_KEY: entity}))
        rows = np.flatnonzero(mask) if mask is not None else np.arange(0)
        ids = [catalog.chunks[row].chunk_id for row in rows]
        vectors = self.store.vectors(ids)
        present = [(row, cid) for row, cid in zip(rows, ids, strict=True) if cid in vectors]
        if not present:
            return [], np.zeros((0, len(FEATURES)))
        matrix = np.stack([vectors[cid] for _, cid in present])
        similarity = matrix @ np.asarray(self.cached_embedder.embed_query(question), dtype=np.float32)
        chunks = [catalog.chunks[row] for row, _ in present]
        kinds = [str(catalog.metadata[row].get("doc_type", "")) for row, _ in present]
        return chunks, snippet_features(question, similarity, kinds, [chunk.text for chunk in chunks])

    def _selected(self, catalog: Catalog, question: str, entity: str, where: dict | None) -> list[Hit]:
        """Every snippet of `entity` scored against the question; the calibrated set kept."""
        chunks, features = self._candidates(catalog, question, entity, where)
        return [
            _hit(chunks[index], probability, rank, selected=True)
            for rank, (index, probability) in enumerate(select(features, self.selection_model), start=1)
        ]

    def _selected_of(
        self, catalog: Catalog, question: str, entities: list[str], where: dict | None
    ) -> list[Hit]:
        """Each entity's selected set (a question may be about several), ranked in that order."""
        chosen = [hit for entity in entities for hit in self._selected(catalog, question, entity, where)]
        return [replace(hit, rank=rank) for rank, hit in enumerate(chosen, start=1)]

    def _with_selection(
        self, catalog: Catalog, question: str, entities: list[str], where: dict | None, hits: list[Hit]
    ) -> list[Hit]:
        """The selected set first (marked `selected`), then the ranked hits it does not hold."""
        selected = self._selected_of(catalog, question, entities, where)
        if not selected:
            return hits
        chosen = {hit.chunk_id for hit in selected}
        rest = [hit for hit in hits if hit.chunk_id not in chosen][: max(0, len(hits) - len(selected))]
        return [replace(hit, rank=rank) for rank, hit in enumerate([*selected, *rest], start=1)]

    def _query_text(self, query: str, context: Sequence[str]) -> str:
        if not context:
            return query.strip()
        return build_query(
            [*context, query],
            strategy=self.settings.query_strategy,
            context_turns=self.settings.query_context_turns,
        )

    def _tracked_entity(self, catalog: Catalog, query: str, context: Sequence[str]) -> str | None:
        if not self.settings.entity_tracking or not catalog.entities:
            return None
        return catalog.entities.last_named([query, *reversed(context)])

    def _rank(
        self, catalog: Catalog, text: str, mode: str, where: dict | None, n: int, *, per_doc: bool
    ) -> list[tuple[str, float]]:
        """(chunk id, score) best first, for one mode over the chunks the filter keeps.

        per_doc: the caller keeps one chunk per document, so hybrid fuses document rankings, not
        chunk rankings: a document's best chunk by meaning and its best chunk by words are often
        different chunks, which chunk-level fusion would never add up (τ³ document recall@10 +0.01).
        """
        focusing = mode != "bm25" and len(text) > self.settings.query_embed_chars
        lexical_rows: list[tuple[int, float]] = []
        if mode != "dense" or focusing:  # first: a long query is embedded focused on BM25's candidates
            wanted = max(n, FOCUS_POOL) if focusing else n
            lexical_rows = catalog.lexical.top(text, wanted, catalog.mask(where))
        lexical = [(catalog.chunks[row].chunk_id, score) for row, score in lexical_rows[:n]]
        if mode == "bm25":
            return lexical
        candidates = np.fromiter((row for row, _ in lexical_rows), dtype=np.int64)
        dense = self._dense(catalog, text, where, n, candidates)
        if mode == "dense":
            return dense
        weighted = [(self.settings.dense_weight, dense), (self.settings.bm25_weight, lexical)]
        if per_doc:
            by_doc = [
                (weight, [(cid, catalog.chunks[catalog.rows[cid]].doc_id) for cid, _ in ranked])
                for weight, ranked in weighted
            ]
            return fuse_documents(by_doc, k=self.settings.rrf_k)[:n]
        fused = reciprocal_rank_fusion(
            [(weight, [cid for cid, _ in ranked]) for weight, ranked in weighted], k=self.settings.rrf_k
        )
        return fused[:n]

    def _dense(
        self, catalog: Catalog, text: str, where: dict | None, n: int, candidates: np.ndarray
    ) -> list[tuple[str, float]]:
        hits = self.store.query(self._query_vector(catalog, text, candidates), n, where)
        return [(cid, score) for cid, score in hits if cid in catalog.rows]  # committed chunks only

    def _query_vector(self, catalog: Catalog, text: str, candidates: np.ndarray) -> np.ndarray:
        """The query's embedding; a long request is first focused on its answerable sentences.

        MiniLM reads 256 tokens and costs about 0.2 ms per token on two cores, so a customer's
        whole story is neither read whole nor cheap. Averaging the embeddings of every window (the
        first approach) read it all but cost 200+ ms for the longest τ³ requests; one window of the
        sentences that best match BM25's candidates for the whole request (focus.py) ranks as
        well: τ³ hybrid document recall@10 0.361 at 600 characters, 0.372 at 800, 0.351 before.
        """
        budget = self.settings.query_embed_chars
        if len(text) > budget:
            best = partial(catalog.lexical.best_scores, rows=candidates)
            text = focus(text, budget=budget, best_scores=best)
        return self.cached_embedder.embed_query(text)

    def _diversify(self, ranked: list[tuple[str, float]], k: int) -> list[tuple[str, float]]:
        vectors = self.store.vectors([cid for cid, _ in ranked])
        usable = [(cid, score) for cid, score in ranked if cid in vectors]
        if not usable:
            return ranked
        matrix = np.stack([vectors[cid] for cid, _ in usable])
        order = mmr(matrix, [score for _, score in usable], k=k, lam=self.settings.mmr_lambda)
        return [usable[i] for i in order]

    def get_chunk(self, chunk_id: str) -> Hit | None:
        """One chunk by id (for citations), or None."""
        catalog = self.catalog()
        row = catalog.rows.get(chunk_id)
        return None if row is None else _hit(catalog.chunks[row], 1.0, 1)

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

    def is_empty(self) -> bool:
        return self.manifest.counts()[0] == 0

    def ping(self) -> bool:
        """Whether the vector store answers (for /healthz)."""
        return self.store.heartbeat()

    def close(self) -> None:
        """Release the SQLite files (Chroma's client has nothing to close)."""
        with self._warmer_lock:
            warmer, self._warmer = self._warmer, None
        if warmer is not None:
            warmer.stop()  # it writes to the cache closed below
        for part in (self._manifest, self._cache):
            if part is not None:
                part.close()
        self._manifest = self._cache = self._catalog = None


def _entity_filter(entity: str | None) -> dict[str, Any] | None:
    """Keep the entity's chunks and those of documents about no entity in particular."""
    return None if entity is None else {ENTITY_KEY: {"$in": [entity, ""]}}


def _best_per_doc(catalog: Catalog, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    seen: set[str] = set()
    best = []
    for cid, score in ranked:
        doc_id = catalog.chunks[catalog.rows[cid]].doc_id
        if doc_id not in seen:
            seen.add(doc_id)
            best.append((cid, score))
    return best


def _hit(chunk: Chunk, score: float, rank: int, *, selected: bool = False) -> Hit:
    """A chunk as a search result; `selected` marks a member of a knowledge selection (metadata)."""
    metadata = {**chunk.metadata, "selected": True} if selected else dict(chunk.metadata)
    return Hit(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        text=chunk.text,
        source=chunk.source,
        score=float(score),
        rank=rank,
        metadata=metadata,
    )
