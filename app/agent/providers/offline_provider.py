"""The offline model as a provider: how it is built from settings and how it gets ready.

Everything the offline model needs beyond the chat client lives here - the intent classifier,
the help centre's vocabulary, the embedder it shares with the knowledge base - so the desk, the
knowledge base and the tools know nothing about it: they call the provider-agnostic hooks of
`app.agent.providers` (`prepare`, `retrieval_context`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.agent.providers.offline_intents import IntentModel
from app.agent.providers.offline_policy import Router
from app.agent.providers.offline_vocabulary import Vocabulary
from app.errors import ConfigError

if TYPE_CHECKING:
    from agent_framework import SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.knowledge.embedders import Embedder
    from app.settings import Settings


def build_client(settings: Settings, *, kb: KnowledgeBase | None = None) -> SupportsChatGetResponse[Any]:
    """The deterministic offline model; it shares the knowledge base's embedder (loaded once) and its
    in-memory vector cache, so sentences of passages seen before and the question the search just
    embedded cost no forward pass."""
    from app.agent.providers.offline import OfflineChatClient

    if kb is None:
        raise ConfigError("The offline chat provider needs the knowledge base (for its embedder).")
    model = IntentModel.load(settings.offline_intent_model)
    router = Router(model, routing_embedder(model, kb), KnowledgeVocabulary(kb))
    return OfflineChatClient(
        embedder=kb.cached_embedder,
        router=router,
        confidence=settings.offline_confidence,
        chunks=kb.get_chunk,  # other sections of the articles found (answer selection)
    )


def routing_embedder(model: IntentModel, kb: KnowledgeBase) -> Embedder:
    """The embedder the classifier was trained on: the knowledge base's own (cached) one when it is
    the same model, else that model loaded beside it (a knowledge base on another embedder)."""
    from app.knowledge.embedders import CachedEmbedder, load_embedder

    if kb.cached_embedder.name == model.embedder:
        return kb.cached_embedder
    return CachedEmbedder(load_embedder(model.embedder), max_entries=2_000)


class KnowledgeVocabulary:
    """Plans, products and countries named in the help centre's titles and headings, rebuilt when
    the knowledge base changes (an article renamed a product: the new name is known at once)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._built: tuple[str, Vocabulary] | None = None

    def __call__(self) -> Vocabulary:
        catalog = self.kb.catalog()
        if self._built is None or self._built[0] != catalog.version:
            chunks = catalog.chunks
            headings = {chunk.title for chunk in chunks}
            headings |= {part for chunk in chunks for part in chunk.section.split(" > ") if part}
            text = "\n".join(chunk.text for chunk in chunks)
            self._built = (catalog.version, Vocabulary.from_headings(sorted(headings), text))
        return self._built[1]
