"""The offline model as a provider: how it is built from settings and how it gets ready.

Everything the offline model needs beyond the chat client lives here - the intent classifier,
the help centre's vocabulary, the embedder it shares with the knowledge base - so the desk, the
knowledge base and the tools know nothing about it: they call the provider-agnostic hooks of
`app.agent.providers` (`prepare`, `retrieval_context`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from app.agent.providers.offline.answer import HINT_SIMILARITY, HINTS
from app.agent.providers.offline.intents import IntentModel
from app.agent.providers.offline.policy import Router
from app.agent.providers.offline.questions import QuestionIndex, asked_in
from app.errors import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.knowledge.catalog import Catalog
    from app.knowledge.embedders import Embedder
    from app.settings import Settings


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """The deterministic offline model; it shares the knowledge base's embedder (loaded once) and its
    in-memory vector cache, so sentences of passages seen before and the question the search just
    embedded cost no forward pass."""
    from app.agent.providers.offline.client import OfflineChatClient

    if kb is None:
        raise ConfigError("The offline chat provider needs the knowledge base (for its embedder).")
    model = IntentModel.load(settings.offline_intent_model)
    embedder = routing_embedder(model, kb)
    questions = KnowledgeQuestions(kb, kb.embedder if kb.embedder.name == model.embedder else embedder)
    router = Router(model, embedder, kb.vocabulary, questions, bookable=kb.names_entities)
    return OfflineChatClient(
        embedder=kb.cached_embedder,
        router=router,
        confidence=settings.offline_confidence,
        chunks=kb.get_chunk,  # other sections of the articles found (answer selection)
        titled=kb.document_titled,  # articles that passages refer to by title
        similar_answers=partial(kb.similar_answers, min_similarity=HINT_SIMILARITY, limit=HINTS),
        known_unanswered=partial(kb.known_unanswered, min_similarity=settings.offline_unanswered_similarity),
    )


def routing_embedder(model: IntentModel, kb: KnowledgeBase) -> Embedder:
    """The embedder the classifier was trained on: the knowledge base's own (cached) one when it is
    the same model, else that model loaded beside it (a knowledge base on another embedder)."""
    from app.knowledge.embedders import CachedEmbedder, load_embedder

    if kb.cached_embedder.name == model.embedder:
        return kb.cached_embedder
    return CachedEmbedder(load_embedder(model.embedder), max_entries=2_000)


class CatalogDerived(Generic[T]):
    """A value built from the knowledge base's catalog and rebuilt when the catalog's version changes
    (an article added or renamed is seen at the next turn). Building holds a lock: a turn that
    arrives while the background warm-up builds waits for that build instead of starting another."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._built: tuple[str, T] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        catalog = self.kb.catalog()
        with self._lock:
            if self._built is None or self._built[0] != catalog.version:
                self._built = (catalog.version, self.build(catalog))
            return self._built[1]

    def build(self, catalog: Catalog) -> T:
        raise NotImplementedError


class KnowledgeQuestions(CatalogDerived["QuestionIndex | None"]):
    """The questions the knowledge base answers (`questions.asked_in` over its chunks), indexed once
    per catalog version (the router starts it in the background when the provider gets ready).
    The vectors go through the persistent embedding cache, keyed like the answer warm-up's: a
    restarted process, or a question the warm-up already embedded as an answer unit, costs no
    forward pass. `embedder` must be the one the intent classifier reads messages with."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder) -> None:
        super().__init__(kb)
        self.embedder = embedder

    def build(self, catalog: Catalog) -> QuestionIndex | None:
        questions = [
            question
            for chunk in catalog.chunks
            for question in asked_in(chunk.text, chunk.section.split(" > "))
        ]
        return QuestionIndex.build(questions, self._embed)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Through the persistent cache; a cache that cannot be read costs a forward pass, never the turn."""
        from app.knowledge.embedding_cache import embed_with_cache

        try:
            return embed_with_cache(self.embedder, self.kb.cache, texts)
        except sqlite3.Error as exc:
            logger.warning(
                "embedding cache unreadable; embedding questions directly", extra={"error": str(exc)}
            )
            return self.embedder.embed_documents(texts)
