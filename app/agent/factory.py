"""The one constructor of the support agent; the UI, the terminal chat and the evaluation all use it.

Everything the agent is - instructions (package data), tools bound to the knowledge base and the
store, context providers, middleware and the chat client chosen by `settings.chat_provider` - is
assembled here, so no entry point can drift from the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent_framework import Agent

from app.agent.context import CustomerFactsProvider, StoreHistoryProvider
from app.agent.middleware import ToolCallMiddleware
from app.agent.prompts import load_prompt
from app.agent.providers import FiltersContext, build_chat_client
from app.agent.telemetry import configure_telemetry
from app.tools.attachments import AttachmentReader
from app.tools.escalation import Escalation
from app.tools.memory import CustomerMemory
from app.tools.search import KnowledgeSearch

if TYPE_CHECKING:
    from agent_framework import FunctionTool, SupportsChatGetResponse

    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings
    from app.store import Store

AGENT_NAME = "support_agent"


def build_tools(
    settings: Settings, *, kb: KnowledgeBase, store: Store, client: object = None
) -> list[FunctionTool]:
    """The tools, as bound methods of small classes holding the knowledge base or the store; a chat
    client that filters its own replies out of the search context (`FiltersContext`) is asked to."""
    context_filter = client.retrieval_context if isinstance(client, FiltersContext) else None
    search = KnowledgeSearch(kb, top_k=settings.top_k, context_filter=context_filter)
    memory = CustomerMemory(store)
    escalation = Escalation(store)
    return [
        search.search_knowledge_base,
        memory.remember_customer_fact,
        memory.recall_customer_facts,
        AttachmentReader(store).read_attachment,
        escalation.escalate_to_human,
        escalation.get_ticket_status,
    ]


def build_agent(
    settings: Settings,
    *,
    kb: KnowledgeBase,
    store: Store,
    chat_client: SupportsChatGetResponse[Any] | None = None,
) -> Agent[Any]:
    """The support agent over `kb` and `store`; `chat_client` overrides the configured provider."""
    configure_telemetry(settings)
    client = chat_client if chat_client is not None else build_chat_client(settings, kb=kb)
    options: dict[str, Any] = {}
    if settings.chat_temperature is not None:
        options["temperature"] = settings.chat_temperature
    return Agent(
        client,
        load_prompt("support"),
        name=AGENT_NAME,
        description="Answers from the help centre, remembers customers, escalates to staff.",
        tools=build_tools(settings, kb=kb, store=store, client=client),
        context_providers=[StoreHistoryProvider(store), CustomerFactsProvider(store)],
        middleware=[ToolCallMiddleware()],
        default_options=options or None,
    )
