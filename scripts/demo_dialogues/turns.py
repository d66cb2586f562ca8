"""Constructors for labelled turns and dialogues, so the definitions read like a script, not like JSON.

Each constructor decides the labels for one kind of turn: which tools the agent is expected to call,
whether it needs the knowledge base, and whether it must hand over to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SEARCH = "search_knowledge_base"
REMEMBER = "remember_customer_fact"
RECALL = "recall_customer_facts"
READ = "read_attachment"
ESCALATE = "escalate_to_human"
TICKET = "get_ticket_status"

FACT_KEYS = ("order_number", "plan", "name", "email", "country", "device")

DECLINE = (
    "I'm sorry, I couldn't find that in the Kestrel help centre, so I'd rather not guess. "
    "If you like, I can pass your question to a member of our support team who can find out for you."
)
HANDOFF = (
    "I'm passing this to a member of our support team now. I've opened a ticket with the details, "
    "so you won't need to repeat yourself; a person will reply in this chat or by email."
)

_GREETINGS = (
    ("Hi there", "Hello! How can I help you today?"),
    ("hello", "Hi! What can I do for you?"),
    ("Good morning!", "Good morning! How can I help?"),
    ("hey, quick question", "Hi! Sure, go ahead."),
    ("Hallo, do you speak English?", "Hello! Yes, I can help you in English. What's your question?"),
    ("hi, anyone there?", "Hi, yes, I'm Kestrel's virtual assistant. How can I help?"),
)
_THANKS = (
    ("thanks!", "You're welcome! Is there anything else I can help with?"),
    ("Great, thank you so much", "Glad I could help. Anything else?"),
    ("ok cheers", "You're welcome. Have a good day!"),
    ("perfect, that's all I needed", "Great! Have a lovely day."),
    ("thank you, bye", "You're welcome, goodbye!"),
    ("Brilliant, thanks for the help", "Happy to help! Let me know if anything else comes up."),
    ("ok got it thx", "You're welcome!"),
)


def _tool(name: str, **arguments: str) -> dict[str, Any]:
    return {"name": name, "arguments": dict(arguments)}


def _turn(
    text: str,
    reference: str,
    *,
    docs: Sequence[str] = (),
    knowledge: bool,
    tools: Sequence[dict[str, Any]] = (),
    escalate: bool = False,
    attachment: str | None = None,
) -> dict[str, Any]:
    return {
        "text": text,
        "attachment": attachment,
        "labels": {
            "needs_knowledge": knowledge,
            "gold_doc_ids": list(docs),
            "gold_chunk_ids": [],
            "reference": reference,
            "expected_tools": list(tools),
            "expect_escalation": escalate,
        },
    }


def _remembered(facts: Sequence[str]) -> list[dict[str, Any]]:
    unknown = [key for key in facts if key not in FACT_KEYS]
    if unknown:
        raise ValueError(f"unknown fact keys {unknown}; use one of {FACT_KEYS}")
    return [_tool(REMEMBER, key=key) for key in facts]


def kb(text: str, docs: Sequence[str], reference: str, *, facts: Sequence[str] = ()) -> dict[str, Any]:
    """A question answered from the help centre (optionally also stating facts to remember)."""
    if not docs:
        raise ValueError(f"knowledge turn without gold documents: {text!r}")
    tools = [*_remembered(facts), _tool(SEARCH)]
    return _turn(text, reference, docs=docs, knowledge=True, tools=tools)


def say(text: str, reference: str, *, facts: Sequence[str] = ()) -> dict[str, Any]:
    """Small talk or a statement that needs no knowledge (facts given are to be remembered)."""
    return _turn(text, reference, knowledge=False, tools=_remembered(facts))


def hello(index: int) -> dict[str, Any]:
    """A greeting, varied by index."""
    text, reference = _GREETINGS[index % len(_GREETINGS)]
    return say(text, reference)


def thanks(index: int) -> dict[str, Any]:
    """A thank-you or goodbye, varied by index."""
    text, reference = _THANKS[index % len(_THANKS)]
    return say(text, reference)


def unanswerable(text: str, reference: str = DECLINE) -> dict[str, Any]:
    """A fair question the help centre does not answer: search, find nothing, decline and offer a person."""
    return _turn(text, reference, knowledge=True, tools=[_tool(SEARCH)])


def handoff(
    text: str, reference: str = HANDOFF, *, docs: Sequence[str] = (), facts: Sequence[str] = ()
) -> dict[str, Any]:
    """A turn where the assistant must hand over to a person (searching first when docs are given)."""
    tools = [*_remembered(facts), *([_tool(SEARCH)] if docs else []), _tool(ESCALATE)]
    return _turn(text, reference, docs=docs, knowledge=bool(docs), tools=tools, escalate=True)


def attached(
    text: str, path: str, reference: str, *, docs: Sequence[str] = (), facts: Sequence[str] = ()
) -> dict[str, Any]:
    """A question about an attached file (path relative to the JSONL file)."""
    tools = [*_remembered(facts), _tool(READ), *([_tool(SEARCH)] if docs else [])]
    return _turn(text, reference, docs=docs, knowledge=bool(docs), tools=tools, attachment=path)


def refuse(text: str, reference: str, *, docs: Sequence[str] = ()) -> dict[str, Any]:
    """A prompt injection: no escalation and no special tools; answer any real question in it."""
    tools = [_tool(SEARCH)] if docs else []
    return _turn(text, reference, docs=docs, knowledge=bool(docs), tools=tools)


def ticket(text: str, reference: str) -> dict[str, Any]:
    """A question about an existing support ticket."""
    return _turn(text, reference, knowledge=False, tools=[_tool(TICKET)])


def recall(text: str, reference: str) -> dict[str, Any]:
    """A question about what the assistant remembers about the customer."""
    return _turn(text, reference, knowledge=False, tools=[_tool(RECALL)])


def dialogue(
    tags: Sequence[str], *turns: dict[str, Any], context: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """One dialogue; context is (role, text) history seeded before the scored turns."""
    if not turns:
        raise ValueError("a dialogue needs at least one turn")
    return {
        "tags": list(tags),
        "context": [{"role": role, "text": text} for role, text in context],
        "turns": list(turns),
    }
