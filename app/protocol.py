"""The text formats the tools, the context providers and the chat models agree on.

Tool results and injected context are plain text, because that is what a chat model reads. The
offline model also has to read them back deterministically, so every format lives here with its
parser: search results (numbered passages), attachment markers, the customer-facts block and the
fixed phrases the offline model uses (so that, e.g., a second "I don't know" can be detected from
the history alone).

Passage text is written as quoted lines (`> ...`), so a passage may contain anything - newlines,
brackets, text that looks like another passage header - without confusing the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

# --- tool names (the contract with app/tools) -------------------------------------------------
SEARCH_TOOL = "search_knowledge_base"
REMEMBER_TOOL = "remember_customer_fact"
RECALL_TOOL = "recall_customer_facts"
READ_ATTACHMENT_TOOL = "read_attachment"
ESCALATE_TOOL = "escalate_to_human"
TICKET_STATUS_TOOL = "get_ticket_status"
TOOL_NAMES = (
    SEARCH_TOOL,
    REMEMBER_TOOL,
    RECALL_TOOL,
    READ_ATTACHMENT_TOOL,
    ESCALATE_TOOL,
    TICKET_STATUS_TOOL,
)
PRIORITIES = ("low", "normal", "high", "urgent")

# --- phrases the offline model uses (detected later in the history) --------------------------
# says why it declines (it would be a guess), as the labelled dialogues' declines do
DECLINE_PHRASE = "I couldn't find that in our help centre, so I'd rather not guess"
# an offer, not a question: "Would you like me to connect you with a member of our support team?"
# was as clear, but further in meaning from how the labelled dialogues offer a person (semantic
# similarity of the replies that offer one, train / dev / validation: 0.441 / 0.409 / 0.420 -> 0.546 /
# 0.548 / 0.484; a yes still accepts it)
OFFER_HUMAN_PHRASE = "If you'd like, I can ask a member of our support team to help."
# what earlier versions offered with, still in stored conversations (a yes to them accepts too)
EARLIER_OFFER_PHRASES = ("Would you like me to connect you with a member of our support team?",)
OFFER_PHRASES = (OFFER_HUMAN_PHRASE, *EARLIER_OFFER_PHRASES)
ESCALATED_PHRASE = "I've passed this to a member of our support team"
NO_PASSAGES = "No passages in the knowledge base match this query."
NO_TICKET = "This conversation has no support ticket."
ATTACHMENT_CITATION = "(from your attachment)"

# --- search results -----------------------------------------------------------------------------
_HEADER = re.compile(r"^\[(\d+)\] title: ?(.*)$")
_FIELD = re.compile(r"^(chunk_id|doc_id|section|kind|selected|score): ?(.*)$")
_CITATION = re.compile(r"\[(\d{1,3})\]")


class HitLike(Protocol):
    """What `format_passages` needs from a search hit (`app.knowledge.documents.Hit` fits)."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Passage:
    """One numbered passage read back from a search result."""

    number: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    score: float
    kind: str = ""  # the document's `doc_type` metadata, e.g. "review" (someone's opinion) or "faq"
    selected: bool = False  # one of the snippets the knowledge base selected as the answer set


def _one_line(value: object) -> str:
    """Metadata fields live on one line; collapse any whitespace run to a single space."""
    return " ".join(str(value).split())


def format_passages(hits: Iterable[HitLike], *, start: int = 1) -> str:
    """The search tool's result: passages numbered from `start`, each citable as `[n]`."""
    blocks = []
    for number, hit in enumerate(hits, start=start):
        quoted = "\n".join(f"> {line}" if line else ">" for line in hit.text.split("\n"))
        metadata = getattr(hit, "metadata", None) or {}
        kind = _one_line(metadata.get("doc_type", ""))
        header = [
            f"[{number}] title: {_one_line(hit.title)}",
            f"section: {_one_line(hit.section)}",
            *([f"kind: {kind}"] if kind else []),
            *(["selected: yes"] if metadata.get("selected") else []),
            f"chunk_id: {_one_line(hit.chunk_id)}",
            f"doc_id: {_one_line(hit.doc_id)}",
            f"score: {float(hit.score):.4f}",
        ]
        blocks.append("\n".join([*header, quoted]))
    return "\n\n".join(blocks) if blocks else NO_PASSAGES


def parse_passages(text: str) -> list[Passage]:
    """Read `format_passages` output back; anything that is not a passage is ignored."""
    passages: list[Passage] = []
    fields: dict[str, str] | None = None
    lines: list[str] = []
    for line in text.split("\n"):
        if line == ">" or line.startswith("> "):
            if fields is not None:
                lines.append(line[2:])
            continue
        if header := _HEADER.match(line):
            _close_passage(passages, fields, lines)
            fields, lines = {"number": header.group(1), "title": header.group(2)}, []
        elif fields is not None and (field := _FIELD.match(line)):
            fields[field.group(1)] = field.group(2)
    _close_passage(passages, fields, lines)
    return passages


def _close_passage(passages: list[Passage], fields: dict[str, str] | None, lines: list[str]) -> None:
    """Append the passage being read, if any, to `passages`."""
    if fields is None:
        return
    try:
        score = float(fields.get("score", "0"))
    except ValueError:
        score = 0.0
    passages.append(
        Passage(
            number=int(fields["number"]),
            chunk_id=fields.get("chunk_id", ""),
            doc_id=fields.get("doc_id", ""),
            title=fields.get("title", ""),
            section=fields.get("section", ""),
            text="\n".join(lines),
            score=score,
            kind=fields.get("kind", ""),
            selected=fields.get("selected") == "yes",
        )
    )


def without_citations(text: str) -> str:
    """A reply as plain prose: the `[n]` markers (a chat-UI convention) and the space before them removed."""
    return _CITATION.sub("", re.sub(r"\s+(?=\[\d{1,3}\])", "", text))


def cited_numbers(text: str) -> list[int]:
    """Passage numbers cited as `[n]` in a reply, in order of first appearance."""
    seen: dict[int, None] = {}
    for match in _CITATION.finditer(text):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


# --- attachments -----------------------------------------------------------------------------
_MARKER = re.compile(r"\[Attachment (\d+): ([^\]\n]*)\]")


def attachment_marker(attachment_id: int, filename: str) -> str:
    """The marker the desk appends to a user's message for each attached file."""
    name = _one_line(filename).replace("[", "(").replace("]", ")")
    return f"[Attachment {int(attachment_id)}: {name}]"


def find_attachment_ids(text: str) -> list[int]:
    """Attachment ids named by markers in a message, in order, without repeats."""
    return list(dict.fromkeys(int(match.group(1)) for match in _MARKER.finditer(text)))


def strip_attachment_markers(text: str) -> str:
    """The message as the customer typed it, without the desk's markers."""
    return _MARKER.sub("", text).strip()


# --- customer facts ----------------------------------------------------------------------------
FACTS_HEADER = "Known customer facts:"
_FACT_LINE = re.compile(r"^- ([^:\n]+): ?(.*)$")


def format_facts(facts: Mapping[str, str]) -> str:
    """The block the memory context provider adds to the instructions; empty when nothing is known."""
    if not facts:
        return ""
    lines = [f"- {_one_line(key)}: {_one_line(value)}" for key, value in sorted(facts.items())]
    return "\n".join([FACTS_HEADER, *lines])


def parse_facts(text: str) -> dict[str, str]:
    """The facts in the first `Known customer facts:` block found in `text` (e.g. the instructions)."""
    facts: dict[str, str] = {}
    lines = text.split("\n")
    try:
        start = [line.strip() for line in lines].index(FACTS_HEADER)
    except ValueError:
        return facts
    for line in lines[start + 1 :]:
        match = _FACT_LINE.match(line.strip())
        if match is None:
            break
        facts[match.group(1).strip()] = match.group(2).strip()
    return facts


# --- tickets -----------------------------------------------------------------------------------
_TICKET_NUMBER = re.compile(r"\bT-\d{3,}\b")


def find_ticket_number(text: str) -> str | None:
    """The first ticket number (`T-000042`) in a tool result, if any."""
    match = _TICKET_NUMBER.search(text)
    return match.group(0) if match else None


_TICKET_PRIORITY = re.compile(rf"\bpriority ({'|'.join(PRIORITIES)})\b")


def find_ticket_priority(text: str) -> str | None:
    """The priority a ticket tool result reports ("opened with priority high", "(open, priority
    normal)"): the ticket's own, which an earlier, calmer hand-over may have set."""
    match = _TICKET_PRIORITY.search(text)
    return match.group(1) if match else None
