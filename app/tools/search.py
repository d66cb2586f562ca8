"""The knowledge-base search tool: hybrid retrieval, results as numbered, citable passages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from agent_framework import FunctionInvocationContext, tool
from pydantic import Field

from app.errors import StoreUnavailableError
from app.protocol import SEARCH_TOOL, format_passages
from app.tools.runtime import turn_of

if TYPE_CHECKING:
    from app.knowledge.base import KnowledgeBase

logger = logging.getLogger(__name__)

# A model writes short queries, but the offline one hands over the customer's own words, and a
# customer's story can run to pages: the knowledge base reads long queries by their most
# answerable sentences (app/knowledge/focus.py), so only a runaway query is cut. (At 500 the cut
# kept the customer's introduction and lost the request: τ³ agent retrieval hit@5 0.42, now 0.73.)
MAX_QUERY_CHARS = 4000
ContextFilter = Callable[[list[str]], list[str]]


class KnowledgeSearch:
    """Searches the help centre; every passage shown is recorded on the turn so `[n]` resolves."""

    def __init__(
        self, kb: KnowledgeBase, *, top_k: int | None = None, context_filter: ContextFilter | None = None
    ) -> None:
        self.kb = kb
        self.top_k = top_k
        # the chat model may drop its own subject-less replies (fixed declines) from the context
        self.context_filter = context_filter or list

    @tool(name=SEARCH_TOOL, approval_mode="never_require")
    def search_knowledge_base(
        self,
        query: Annotated[
            str,
            Field(description="A short, specific search query naming the product, feature or problem."),
        ],
        ctx: FunctionInvocationContext,
    ) -> str:
        """Search the help-centre articles; returns numbered passages to cite as [n]."""
        turn = turn_of(ctx)
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        hits = (
            self._search(query, self.context_filter(list(turn.dialogue)), turn.customer_turns)
            if query
            else []
        )
        start = turn.add_hits(hits)
        logger.info("knowledge searched", extra={"hits": len(hits), "first_number": start})
        return format_passages(hits, start=start)

    def _search(self, query: str, context: list[str], customer: list[str]) -> list:
        """Hybrid search; keyword search alone (local BM25) while the vector store is unreachable.

        The whole dialogue names the entity under discussion (a hotel the agent suggested); only the
        customer's own turns extend the query, since the agent's replies quote passages on other
        topics (demo dev retrieval recall@5 0.746 with them).
        """
        kwargs = {"k": self.top_k, "context": context, "query_context": customer}
        try:
            return self.kb.search(query, **kwargs)
        except StoreUnavailableError as exc:
            logger.warning("vector store unavailable; keyword search only", extra={"error": str(exc)})
            return self.kb.search(query, mode="bm25", **kwargs)
