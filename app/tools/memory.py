"""Per-customer memory: lasting facts the customer told us, kept across conversations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from agent_framework import FunctionInvocationContext, tool
from pydantic import Field

from app.protocol import RECALL_TOOL, REMEMBER_TOOL, format_facts
from app.tools.runtime import turn_of

if TYPE_CHECKING:
    from app.store import Store

MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 300
MAX_FACTS = 50


def normalise_key(key: str) -> str:
    """`Operating System` and `operating_system` are the same fact."""
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")[:MAX_KEY_CHARS]


class CustomerMemory:
    """Remembers and recalls facts about the customer of the running conversation."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def facts(self, customer_id: int) -> dict[str, str]:
        """All facts known about a customer, by key."""
        return {record.key: record.value for record in self.store.memories.list(customer_id)}

    @tool(name=REMEMBER_TOOL, approval_mode="never_require")
    def remember_customer_fact(
        self,
        key: Annotated[str, Field(description="What the fact is about, e.g. 'plan', 'device', 'os'.")],
        value: Annotated[str, Field(description="The fact, e.g. 'Plus', 'iPhone 15', 'Windows 11'.")],
        ctx: FunctionInvocationContext,
    ) -> str:
        """Save a lasting fact the customer told you about themselves, for this and later conversations."""
        turn = turn_of(ctx)
        clean_key, clean_value = normalise_key(key), " ".join(value.split())[:MAX_VALUE_CHARS]
        if not clean_key or not clean_value:
            return "Nothing saved: both a key and a value are needed."
        known = self.facts(turn.customer_id)
        if clean_key not in known and len(known) >= MAX_FACTS:
            return f"Nothing saved: this customer already has {MAX_FACTS} facts on file."
        self.store.memories.upsert(turn.customer_id, clean_key, clean_value)
        return f"Saved: {clean_key} = {clean_value}."

    @tool(name=RECALL_TOOL, approval_mode="never_require")
    def recall_customer_facts(self, ctx: FunctionInvocationContext) -> str:
        """List the facts saved about this customer."""
        facts = self.facts(turn_of(ctx).customer_id)
        return format_facts(facts) or "No facts are saved about this customer yet."
