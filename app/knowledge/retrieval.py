"""`KnowledgeBase.search` as a pipeline of small steps over one catalogue snapshot.

    query text → entity focus → rank (with a fallback) → fuse the question memory's articles → MMR
    → score floor → one per document
    (document results, or settings.passages_by_document) → hits → the entity's selected snippets first

A message that names one of the help centre's products is searched twice, as asked and without
the name, and the two rankings fused (the named variant first again): see `Retriever.search`.

Each step is a short function (or method) that says why it exists; the ranking itself is one
ranker object per mode (rankers.py), chosen once by the mode's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.errors import InputError
from app.knowledge.catalog import Catalog
from app.knowledge.documents import Chunk, Hit
from app.knowledge.filters import combine, validate
from app.knowledge.fusion import mmr, reciprocal_rank_fusion
from app.knowledge.memory import QuestionMemory
from app.knowledge.query import WeightedTexts, build_query, query_parts
from app.knowledge.rankers import EmbedQuery, Query, Ranked, Ranker, build_rankers
from app.knowledge.selection import FEATURES, SelectionModel, meaning_products, select, snippet_features
from app.knowledge.variants import Asked, prefer_named_variants
from app.knowledge.vectorstore import ENTITY_KEY, ChromaStore
from app.settings import Settings

MODES = ("dense", "bm25", "hybrid")
NAME_FUSION_DEPTH = 20  # hits of each search (as asked, without product names) the fusion reads
DOC_POOL = 20  # chunks ranked per requested document when results are collapsed to documents
# Fusion constant for the question memory: with the usual 60, a memory article that the search ranked
# low would barely move; at 10 a full vote (the same question) adds what a first place does, so that
# article ties the search's first passage (settings.question_memory's figures were measured so).
MEMORY_RRF_K = 10
ELLIPTICAL_WORDS = 4
_SHOWN = ("chunk_id", "doc_id", "title", "section", "text", "source")  # what a hit keeps of its chunk


@dataclass(frozen=True)
class Request:
    """One search as the caller asked for it (see `KnowledgeBase.search`)."""

    query: str
    k: int
    mode: str
    where: dict | None
    context: Sequence[str]
    unique_docs: bool
    query_context: Sequence[str] | None


@dataclass(frozen=True)
class Retriever:
    """The search pipeline over a knowledge base's parts; cheap to build for each search."""

    settings: Settings
    store: ChromaStore
    embed_query: EmbedQuery
    embedder_name: str  # the embedder behind `embed_query` and the stored vectors
    selection_model: Callable[[], SelectionModel]
    catalog: Callable[[], Catalog]  # the current snapshot, read once per search
    question_memory: Callable[[], QuestionMemory | None] = lambda: None

    def search(self, request: Request) -> list[Hit]:
        """The k best chunks, best first; an entity's selected snippets lead (see selection.py).

        A message that names one of the help centre's products ("send back a Beacon Max I ordered
        on the French site") is searched as asked and again without the name, and the two rankings
        are fused: the name matches every article about the product (its set-up, its reset) so
        strongly that the one about what was asked (returns in France) fell out of the first five.
        The fusion favours what both searches find: the product's articles stay for a question about
        the product itself ("how do I reset my Beacon Max" finds reset articles either way)."""
        request = replace(request, where=validate(request.where))  # refused before anything is ranked
        catalog = self.catalog()
        unnamed = self.without_product_names(request, catalog)
        if unnamed is None:
            return self.search_as_asked(request, catalog)
        return self.fused_with_unnamed(request, unnamed, catalog)

    def fused_with_unnamed(self, request: Request, unnamed: Request, catalog: Catalog) -> list[Hit]:
        """The searches as asked and without the product names, fused by reciprocal rank (the second
        weighted settings.unnamed_search_weight); the named variant leads again, since the second
        search no longer knows which one the customer named."""
        depth = max(request.k, NAME_FUSION_DEPTH)
        as_asked, without_names = (
            self.search_as_asked(replace(asked, k=depth), catalog) for asked in (request, unnamed)
        )
        weight = self.settings.unnamed_search_weight
        fused = reciprocal_rank_fusion(
            [(1.0, [hit.chunk_id for hit in as_asked]), (weight, [hit.chunk_id for hit in without_names])],
            k=self.settings.rrf_k,
        )
        fused = self.named_variants_first(catalog, fused, request)
        if request.unique_docs or self.settings.passages_by_document:
            fused = best_per_doc(catalog, fused)
        return as_hits(catalog, fused[: request.k])

    def without_product_names(self, request: Request, catalog: Catalog) -> Request | None:
        """The request with the product names taken out of the message, or None when it names none,
        is nothing but names ("beacon max") or settings.unnamed_search_weight is 0."""
        if self.settings.unnamed_search_weight <= 0:
            return None
        unnamed = catalog.names.without(request.query, "device")
        if unnamed == " ".join(request.query.split()) or not unnamed:
            return None
        return replace(request, query=unnamed)

    def search_as_asked(self, request: Request, catalog: Catalog) -> list[Hit]:
        """The pipeline of one query over the search's catalogue snapshot (the module docstring's
        steps)."""
        ranker = self.ranker(request.mode)
        text = self.query_text(request)
        if not text or not catalog.chunks:
            return []
        entity = self.tracked_entity(catalog, request.query, request.context)
        focused = entity_focus(request.query, text, entity)
        parts = self.query_parts(request) if focused == text else ()
        per_doc = request.unique_docs or self.settings.passages_by_document
        pool = max(request.k * (DOC_POOL if per_doc else 4), 20)
        asked = Query(catalog, focused, combine(request.where, entity_filter(entity)), pool, per_doc, parts)
        ranked = self.rank_with_fallback(ranker, asked, request.where, entity)
        if ranker.reads_meaning and not self.elliptical(request):
            ranked = self.with_memory(catalog, ranked, request.query, asked.where)
        ranked = self.diversify(ranked, pool if per_doc else request.k)
        ranked = self.named_variants_first(catalog, ranked, request)
        ranked = above_floor(ranked, self.settings.min_score)
        if per_doc:
            ranked = best_per_doc(catalog, ranked)
        hits = as_hits(catalog, ranked[: request.k])
        if entity is not None and ranker.reads_meaning and self.settings.knowledge_selection:
            entities = self.discussed_entities(catalog, request.query, request.context, entity)
            hits = self.with_selection(catalog, request.query.strip() or text, entities, request.where, hits)
        return hits

    def ranker(self, mode: str) -> Ranker:
        """The mode's ranker; an unknown mode is the caller's mistake, said in words."""
        rankers = build_rankers(self.settings, self.store, self.embed_query)
        if mode not in rankers:
            raise InputError(f"unknown retrieval mode {mode!r} (use one of: {', '.join(MODES)})")
        return rankers[mode]

    def query_text(self, request: Request) -> str:
        """The text to rank by: the message, extended by earlier turns (settings.query_strategy),
        since the last message alone often lacks its subject ("and how much is it?")."""
        turns = self.query_turns(request)
        if len(turns) <= 1:
            return request.query.strip()
        return build_query(
            turns, strategy=self.settings.query_strategy, context_turns=self.settings.query_context_turns
        )

    def query_parts(self, request: Request) -> WeightedTexts:
        """The turns of `query_text`, weighted for the dense ranker (settings.query_context_weight)."""
        return query_parts(
            self.query_turns(request),
            strategy=self.settings.query_strategy,
            context_turns=self.settings.query_context_turns,
            context_weight=self.settings.query_context_weight,
        )

    @staticmethod
    def query_turns(request: Request) -> list[str]:
        """The dialogue that extends the query, oldest first, ending with the message itself."""
        turns = request.context if request.query_context is None else request.query_context
        return [*turns, request.query] if turns else [request.query]

    def tracked_entity(self, catalog: Catalog, query: str, context: Sequence[str]) -> str | None:
        """The entity (hotel, restaurant, product) the dialogue is about, when documents name one."""
        if not self.settings.entity_tracking or not catalog.entities:
            return None
        return catalog.entities.last_named([query, *reversed(context)])

    def discussed_entities(
        self, catalog: Catalog, query: str, context: Sequence[str], tracked: str
    ) -> list[str]:
        """Every entity the question is about (a question may compare several, see
        EntityMatcher.discussed); the tracked one when the matcher names none."""
        return catalog.entities.discussed([query, *reversed(context)]) or [tracked]

    @staticmethod
    def rank_with_fallback(ranker: Ranker, asked: Query, where: dict | None, entity: str | None) -> Ranked:
        """Rank within the entity's chunks first (`asked`); when none match, rank the whole corpus
        under the caller's filter `where`, since a wrong entity guess must not leave the customer
        without an answer."""
        ranked = ranker.rank(asked)
        if not ranked and entity is not None:
            ranked = ranker.rank(replace(asked, where=where))
        return ranked

    def elliptical(self, request: Request) -> bool:
        """A follow-up of at most ELLIPTICAL_WORDS words ("even with premium?"): it means what the
        dialogue before it asks, and alone it resembles other dialogues' follow-ups, whose articles
        answered other topics, so the question memory is not asked."""
        return len(self.query_turns(request)) > 1 and len(request.query.split()) <= ELLIPTICAL_WORDS

    def with_memory(self, catalog: Catalog, ranked: Ranked, message: str, where: dict | None) -> Ranked:
        """The ranking with the votes of labelled questions like the message (memory.py) added.

        Each voted article's passages gain weight x strength / (k + 1), what a first place adds in
        reciprocal rank fusion: an article a close question names rises to the top with all its
        ranked passages (the answer's second passage stays), one a distant question names only
        overtakes what ranked just above it, and a voted article the ranking lacks enters by its
        passage closest to the message (of those the filter keeps). The message alone is read: the
        memory's questions are single messages. Scores are rescaled so 1 is the most possible."""
        reading = self.memory_reading(catalog, message)
        if reading is None:
            return ranked
        memory, vector = reading
        votes = {
            doc: strength for doc, strength in memory.votes(vector).items() if doc in catalog.document_rows
        }
        if not votes:
            return ranked
        weight = self.settings.question_memory_weight / (MEMORY_RRF_K + 1)
        doc_of = {cid: catalog.chunks[catalog.rows[cid]].doc_id for cid, _ in ranked}
        scores = {
            cid: 1.0 / (MEMORY_RRF_K + rank) + weight * votes.get(doc_of[cid], 0.0)
            for rank, (cid, _) in enumerate(ranked, start=1)
        }
        present = set(doc_of.values())
        for doc in (doc for doc in votes if doc not in present):  # the votes' order: closest first
            leader = self.closest_chunk(catalog, doc, where, vector)
            if leader is not None:
                scores[leader] = weight * votes[doc]
        top = 1.0 / (MEMORY_RRF_K + 1) + weight
        fused = sorted(scores.items(), key=lambda pair: -pair[1])
        return [(cid, score / top) for cid, score in fused]

    def memory_reading(self, catalog: Catalog, message: str) -> tuple[QuestionMemory, np.ndarray] | None:
        """The question memory and the message's vector, when the memory speaks of this catalogue's
        articles and there is a message (None otherwise: nothing is embedded for it)."""
        memory = self.question_memory()
        if memory is None or not message.strip() or not memory.speaks_of(catalog.document_rows):
            return None
        return memory, np.asarray(self.embed_query(message.strip()), dtype=np.float32)

    def closest_chunk(self, catalog: Catalog, doc: str, where: dict | None, vector: np.ndarray) -> str | None:
        """The document's chunk closest to `vector` of those the filter keeps (None: no such chunk)."""
        mask = catalog.mask(where)
        ids = [
            catalog.chunks[row].chunk_id for row in catalog.document_rows[doc] if mask is None or mask[row]
        ]
        vectors = self.store.vectors(ids)
        present = [cid for cid in ids if cid in vectors]
        return max(present, key=lambda cid: float(vectors[cid] @ vector)) if present else None

    def diversify(self, ranked: Ranked, k: int) -> Ranked:
        """MMR (settings.mmr): near-duplicate passages crowd out a second, different answer."""
        if not self.settings.mmr:
            return ranked
        vectors = self.store.vectors([cid for cid, _ in ranked])
        usable = [(cid, score) for cid, score in ranked if cid in vectors]
        if not usable:
            return ranked
        matrix = np.stack([vectors[cid] for cid, _ in usable])
        order = mmr(matrix, [score for _, score in usable], k=k, lam=self.settings.mmr_lambda)
        return [usable[i] for i in order]

    def named_variants_first(self, catalog: Catalog, ranked: Ranked, request: Request) -> Ranked:
        """Of sibling articles (variants.py), the one whose variant the customer named ranks first
        (settings.named_variants): near-identical bodies leave the title to tell them apart."""
        if not self.settings.named_variants:
            return ranked

        def title_of(chunk_id: str) -> tuple[str, str]:
            chunk = catalog.chunks[catalog.rows[chunk_id]]
            return chunk.doc_id, chunk.title

        turns = self.query_turns(request)[:-1]
        return prefer_named_variants(ranked, title_of, Asked.of(request.query, turns))

    # --- knowledge selection: the set of the entity's snippets that answers the question ----------
    def candidates(
        self, catalog: Catalog, question: str, entity: str, where: dict | None
    ) -> tuple[list[Chunk], np.ndarray, np.ndarray]:
        """Every snippet of `entity` (that the filter keeps) with its features against the question
        and its `meaning_products` (for the model's meaning weights)."""
        mask = catalog.mask(combine(where, {ENTITY_KEY: entity}))
        rows = np.flatnonzero(mask) if mask is not None else np.arange(0)
        ids = [catalog.chunks[row].chunk_id for row in rows]
        vectors = self.store.vectors(ids)
        present = [(row, cid) for row, cid in zip(rows, ids, strict=True) if cid in vectors]
        if not present:
            return [], np.zeros((0, len(FEATURES))), np.zeros((0, 0))
        matrix = np.stack([vectors[cid] for _, cid in present])
        query = np.asarray(self.embed_query(question), dtype=np.float32)
        chunks = [catalog.chunks[row] for row, _ in present]
        kinds = [str(catalog.metadata[row].get("doc_type", "")) for row, _ in present]
        features = snippet_features(question, matrix @ query, kinds, [chunk.text for chunk in chunks])
        return chunks, features, meaning_products(matrix, query)

    def selected(self, catalog: Catalog, question: str, entity: str, where: dict | None) -> list[Hit]:
        """Every snippet of `entity` scored against the question; the calibrated set kept."""
        chunks, features, products = self.candidates(catalog, question, entity, where)
        model = self.selection_model().for_vectors(self.embedder_name, products.shape[1])
        return [
            as_hit(chunks[index], probability, rank, selected=True)
            for rank, (index, probability) in enumerate(select(features, model, products), start=1)
        ]

    def selected_of(
        self, catalog: Catalog, question: str, entities: list[str], where: dict | None
    ) -> list[Hit]:
        """Each entity's selected set (a question may be about several), ranked in that order."""
        chosen = [hit for entity in entities for hit in self.selected(catalog, question, entity, where)]
        return [replace(hit, rank=rank) for rank, hit in enumerate(chosen, start=1)]

    def with_selection(
        self, catalog: Catalog, question: str, entities: list[str], where: dict | None, hits: list[Hit]
    ) -> list[Hit]:
        """The selected set first (marked `selected`), then the ranked hits it does not hold."""
        selected = self.selected_of(catalog, question, entities, where)
        if not selected:
            return hits
        chosen = {hit.chunk_id for hit in selected}
        rest = [hit for hit in hits if hit.chunk_id not in chosen][: max(0, len(hits) - len(selected))]
        return [replace(hit, rank=rank) for rank, hit in enumerate([*selected, *rest], start=1)]


def entity_focus(query: str, text: str, entity: str | None) -> str:
    """Once earlier turns named the entity, the message alone is the query: the context's other
    words pull in off-topic passages, and the entity filter already carries its subject."""
    if entity is not None and query.strip():
        return query.strip()
    return text


def entity_filter(entity: str | None) -> dict[str, Any] | None:
    """Keep the entity's chunks and those of documents about no entity in particular."""
    return None if entity is None else {ENTITY_KEY: {"$in": [entity, ""]}}


def above_floor(ranked: Ranked, min_score: float) -> Ranked:
    """Drop what scores below settings.min_score: a weak passage is worse than none to cite."""
    return [(cid, score) for cid, score in ranked if score >= min_score]


def best_per_doc(catalog: Catalog, ranked: Ranked) -> Ranked:
    """Each document once, at its best chunk (document-level results)."""
    seen: set[str] = set()
    best = []
    for cid, score in ranked:
        doc_id = catalog.chunks[catalog.rows[cid]].doc_id
        if doc_id not in seen:
            seen.add(doc_id)
            best.append((cid, score))
    return best


def as_hits(catalog: Catalog, ranked: Ranked) -> list[Hit]:
    """Ranked chunk ids as search results, ranks from 1."""
    chunks = [(catalog.chunks[catalog.rows[cid]], score) for cid, score in ranked]
    return [as_hit(chunk, score, rank) for rank, (chunk, score) in enumerate(chunks, start=1)]


def as_hit(chunk: Chunk, score: float, rank: int, *, selected: bool = False) -> Hit:
    """A chunk as a search result; `selected` marks a member of a knowledge selection (metadata)."""
    metadata = {**chunk.metadata, "selected": True} if selected else dict(chunk.metadata)
    shown = {name: getattr(chunk, name) for name in _SHOWN}
    return Hit(**shown, score=float(score), rank=rank, metadata=metadata)
