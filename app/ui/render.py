"""Pure functions that turn agent events and stored records into Gradio chat messages.

No Gradio import and no I/O: the Blocks layer fetches records and passages, these functions
only shape them, so every rendering rule is unit-tested without a browser. Anything a person
typed (customers, staff, document authors) is HTML-escaped here, on top of Gradio's own
sanitiser, so a `<script>` in a message shows as text and never runs; Markdown images and links
are neutralised too (`inert`), so no message makes a browser fetch from another host.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.events import TextDelta, ToolFinished, ToolStarted, TurnDone, TurnResult
from app.knowledge.documents import public_source
from app.protocol import cited_numbers, strip_attachment_markers
from app.ui.articles import Passage, article_url

ChatMessage = dict[str, Any]

HUMAN_TITLE = "👤 Support agent (human)"
SOURCES_TITLE = "Sources"
PASSAGE_LIMIT = 600
RESULT_LIMIT = 400
_CITATION = re.compile(r"\[(\d{1,3})\]")  # an `[n]` marker, as `app.protocol` reads them


# Markdown turns `![alt](url)` into an image the browser fetches at once (a tracking pixel, with the
# Referer), and `[text](url)`, `[text][ref]` with `[ref]: url`, or a bare `https://...` into links.
# Each of those needs one of these character pairs; an entity in its place displays the same
# character but can never be Markdown syntax (CommonMark: entities never form structure).
_MARKDOWN_LINKS = (("](", "]&#40;"), ("][", "]&#91;"), ("]:", "&#93;:"), ("://", "&#58;//"))


def inert(text: str | None) -> str:
    """Escape HTML and Markdown images and links: text from a person or a document is shown as text.

    `<img>`, `![x](http://host/p.png)`, `[click](http://…)` and bare URLs all display literally;
    everything else (`[1]` citation markers, emphasis, lists) renders as before.
    """
    escaped = html.escape(text or "", quote=True)
    for syntax, shown in _MARKDOWN_LINKS:
        escaped = escaped.replace(syntax, shown)
    return escaped


def quote(text: str, limit: int) -> str:
    """A markdown block quote of `text`, cut to about `limit` characters, keeping its lines."""
    text = (text or "").strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def shorten(text: str, limit: int) -> str:
    """Cut long text at a word boundary and mark the cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def user_message(text: str, filenames: Sequence[str] = ()) -> ChatMessage:
    """The customer's own message, with the names of any files they attached."""
    body = inert(text)
    if filenames:
        names = ", ".join(f"`{inert(name)}`" for name in filenames)
        body = f"{body}\n\n📎 {names}" if body else f"📎 {names}"
    return {"role": "user", "content": body}


def human_agent_message(text: str) -> ChatMessage:
    """A reply typed by a person at the hand-off console, headed so it reads apart from the bot's text.

    Not a metadata box: Gradio collapses those, and a person's reply must be read at once.
    """
    return {"role": "assistant", "content": f"**{HUMAN_TITLE}**\n\n{inert(text)}"}


def system_message(text: str) -> ChatMessage:
    """A notice from the service itself (errors, status), shown as a titled note."""
    return {"role": "assistant", "content": inert(text), "metadata": {"title": "ℹ️ Notice"}}


def tool_step(
    name: str, arguments: Mapping[str, Any], result: str | None = None, duration_ms: float | None = None
) -> ChatMessage:
    """A collapsible step for one tool call: arguments, then the result once it is back."""
    args = json.dumps(dict(arguments), ensure_ascii=False, indent=1, default=str)
    body = f"Arguments:\n```json\n{args}\n```"
    metadata: dict[str, Any] = {"title": f"🛠️ Used tool: {inert(name)}", "status": "pending"}
    if result is not None:
        body += f"\n\nResult: {inert(shorten(result, RESULT_LIMIT))}"
        metadata["status"] = "done"
    if duration_ms is not None:
        metadata["duration"] = round(duration_ms / 1000, 3)
    return {"role": "assistant", "content": body, "metadata": metadata}


def display_numbers(text: str, citations: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Stored citation number → the number shown: 1, 2, 3… in the order the answer cites them.

    The agent numbers a citation by the passage's place in the search results, so an answer may
    cite "[2][5]"; a reader expects the list under it to start at 1 and match what they read.
    """
    order = [*cited_numbers(text), *(int(c.get("number", 0)) for c in citations)]
    return {number: shown for shown, number in enumerate(dict.fromkeys(order), start=1)}


def renumbered(text: str, numbers: Mapping[int, int]) -> str:
    """The answer with each `[n]` it cites replaced by the number shown for it."""
    return _CITATION.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", text)


def source_heading(citation: Mapping[str, Any], shown: int, section: str) -> str:
    """`[n] Title › Section` linking to that section of the article, then where it comes from."""
    title = _link_text(str(citation.get("title", "")) or "Untitled")
    place = f"{title} › {_link_text(section.rsplit('>', 1)[-1].strip())}" if section else title
    link = article_url(str(citation.get("doc_id", "")), section)
    source = public_source(str(citation.get("doc_id", "")), str(citation.get("source", "")))
    origin = f" — `{inert(source)}`" if source else ""
    return f"**[{shown}] [{place}]({link})**{origin}"


def _link_text(text: str) -> str:
    """Text inside a Markdown link's brackets: inert, and no bracket that would end the link early."""
    return inert(text).replace("[", "&#91;").replace("]", "&#93;")


def citations_message(
    citations: Sequence[Mapping[str, Any]],
    passages: Mapping[str, str | Passage],
    numbers: Mapping[int, int] | None = None,
) -> ChatMessage | None:
    """One collapsible message listing each cited article (title, section link) with the passage.

    `numbers` maps stored citation numbers to the ones shown in the answer (`display_numbers`).
    """
    if not citations:
        return None
    numbers = numbers or {}
    entries = []
    shown_of = {id(c): numbers.get(int(c.get("number", 0)), int(c.get("number", 0))) for c in citations}
    for citation in sorted(citations, key=lambda item: shown_of[id(item)]):
        passage = _passage(passages.get(str(citation.get("chunk_id", ""))))
        heading = source_heading(citation, shown_of[id(citation)], passage.section)
        quoted = f"\n\n{quote(inert(passage.text), PASSAGE_LIMIT)}" if passage.text else ""
        entries.append(heading + quoted)
    title = f"📚 {SOURCES_TITLE} ({len(entries)})"
    metadata = {"title": title, "status": "done"}
    return {"role": "assistant", "content": "\n\n".join(entries), "metadata": metadata}


def _passage(value: str | Passage | None) -> Passage:
    """A passage looked up for a citation (bare text: its section is unknown)."""
    if isinstance(value, Passage):
        return value
    return Passage("", value or "")


def assistant_messages(
    text: str,
    tool_calls: Iterable[Mapping[str, Any]],
    citations: Sequence[Mapping[str, Any]],
    passages: Mapping[str, str | Passage],
) -> list[ChatMessage]:
    """A finished answer: its tool steps, the answer itself (citations numbered as read), its sources."""
    messages = [
        tool_step(
            call.get("name", "?"),
            call.get("arguments") or {},
            str(call.get("result", "")),
            call.get("duration_ms"),
        )
        for call in tool_calls
    ]
    numbers = display_numbers(text, citations)
    messages.append({"role": "assistant", "content": inert(renumbered(text, numbers))})
    sources = citations_message(citations, passages, numbers)
    if sources is not None:
        messages.append(sources)
    return messages


@dataclass(frozen=True)
class ChatView:
    """Chat messages plus, for each one, the stored message id it rates (None: not rateable)."""

    messages: list[ChatMessage] = field(default_factory=list)
    message_ids: list[int | None] = field(default_factory=list)
    last_id: int = 0

    def add(self, messages: Sequence[ChatMessage], message_id: int | None) -> ChatView:
        """Append one stored record's messages, each carrying the record's id (None: not rateable).

        Every message of an answer carries its id, not only the answer text: the Chatbot groups a
        turn's tool steps, answer and sources into one bubble and reports a 👍/👎 on it with the
        index of the group's first message, which is a tool step whenever a tool was used.
        """
        ids: list[int | None] = [message_id] * len(messages)
        last = max(self.last_id, message_id or 0)
        return ChatView([*self.messages, *messages], [*self.message_ids, *ids], last)


def record_messages(
    record: Any, passages: Mapping[str, str | Passage], attachment_names: Mapping[int, str] | None = None
) -> tuple[list[ChatMessage], int]:
    """Messages for one stored `MessageRecord`, and the index among them of the rateable answer."""
    if record.role == "user":
        names = [(attachment_names or {}).get(i, f"attachment {i}") for i in record.attachment_ids or ()]
        return [user_message(strip_attachment_markers(record.content), names)], -1
    if record.role == "human_agent":
        return [human_agent_message(record.content)], -1
    if record.role == "system":
        return [system_message(record.content)], -1
    messages = assistant_messages(record.content, record.tool_calls, record.citations, passages)
    return messages, len(record.tool_calls)


def conversation_view(
    records: Iterable[Any],
    passages: Mapping[str, str | Passage],
    attachment_names: Mapping[int, str] | None = None,
) -> ChatView:
    """A whole stored conversation, ready for the Chatbot and the feedback handler."""
    view = ChatView()
    for record in records:
        messages, _answer_index = record_messages(record, passages, attachment_names)
        rated = record.id if record.role == "assistant" else None
        view = view.add(messages, rated)
        view = replace(view, last_id=max(view.last_id, record.id))
    return view


def rating_target(message_ids: Sequence[int | None], index: int | Sequence[int]) -> int | None:
    """The stored message a thumbs up/down at chat position `index` refers to."""
    position = index if isinstance(index, int) else index[0]
    if 0 <= position < len(message_ids):
        return message_ids[position]
    return None


@dataclass(frozen=True)
class Step:
    """One tool call of a streaming turn; `result` is None while the tool runs."""

    name: str
    arguments: Mapping[str, Any]
    result: str | None = None
    duration_ms: float | None = None


@dataclass(frozen=True)
class LiveTurn:
    """An answer being streamed: tool steps so far, the text so far, the result once done."""

    steps: tuple[Step, ...] = ()
    text: str = ""
    result: TurnResult | None = None


def apply_event(turn: LiveTurn, event: Any) -> LiveTurn:
    """Fold one streamed `ReplyEvent` into the turn; unknown events leave it unchanged."""
    if isinstance(event, TextDelta):
        return replace(turn, text=turn.text + event.text)
    if isinstance(event, ToolStarted):
        return replace(turn, steps=(*turn.steps, Step(event.name, event.arguments)))
    if isinstance(event, ToolFinished):
        return replace(turn, steps=_finish_step(turn.steps, event))
    if isinstance(event, TurnDone):
        return replace(turn, result=event.result, text=event.result.text)
    return turn


def _finish_step(steps: tuple[Step, ...], event: ToolFinished) -> tuple[Step, ...]:
    """Close the most recent running step of that tool with its result."""
    for position in range(len(steps) - 1, -1, -1):
        step = steps[position]
        if step.name == event.name and step.result is None:
            done = replace(step, result=event.result, duration_ms=event.duration_ms)
            return (*steps[:position], done, *steps[position + 1 :])
    return (*steps, Step(event.name, {}, event.result, event.duration_ms))


def live_messages(turn: LiveTurn) -> list[ChatMessage]:
    """What to show while the answer streams in: steps, then the partial text (if any yet)."""
    if turn.result is not None:
        return turn_messages(turn.result)
    messages = [tool_step(step.name, step.arguments, step.result, step.duration_ms) for step in turn.steps]
    if turn.text:
        messages.append({"role": "assistant", "content": inert(turn.text)})
    return messages


def turn_passages(result: TurnResult) -> dict[str, str | Passage]:
    """Passage (section and text) by chunk id, from what the search returned during the turn."""
    return {hit.chunk_id: Passage(hit.section, hit.text) for hit in result.retrieved}


def turn_messages(result: TurnResult) -> list[ChatMessage]:
    """A finished turn rendered exactly like the same turn read back from the store."""
    return assistant_messages(
        result.text,
        [call.to_dict() for call in result.tool_calls],
        [citation.to_dict() for citation in result.citations],
        turn_passages(result),
    )


def escalation_banner(ticket: Any | None, *, person_handling: bool = False) -> str:
    """The banner shown once a conversation has been handed to a person (empty: no banner)."""
    if ticket is None:
        return ""
    if person_handling:
        return (
            f"### 👤 A person is handling this — ticket **{inert(ticket.number)}**\n"
            "The assistant is paused: your messages go straight to our support team, who reply here."
        )
    status = {"open": "waiting for an agent", "assigned": "an agent is on it", "resolved": "resolved"}
    state = status.get(str(ticket.status), inert(str(ticket.status)))
    return (
        f"### 🎫 Handed to a human agent — ticket **{inert(ticket.number)}** ({state})\n"
        "A member of our team will reply here in this conversation."
    )


def conversation_label(record: Any) -> str:
    """How an earlier conversation is named in the resume dropdown."""
    when = record.updated_at.strftime("%Y-%m-%d %H:%M") if record.updated_at else ""
    title = shorten(record.title or "Untitled conversation", 60)
    return f"{when} · {title} · #{record.id[:6]}"
