"""The customer chat: resume one of your conversations, send text and files, stream the answer.

Who the visitor is comes from the signed visitor cookie (`app.identity`), which the server sets
on the first request and the page never shows. The first handler of a page reads it from the
request and keeps the visitor in a server-side `gr.State` for the rest of the page's life (so a
browser that drops third-party cookies, in an embedding iframe, still keeps one identity per
page); a client can neither see nor set that state. A visitor therefore only ever lists, opens
and writes to their own conversations, whatever a client sends, and a reload reopens the
visitor's latest conversation. Handlers only call `SupportDesk` and hand
records to `app.ui.render`; the per-browser state (which conversation, the message ids behind
the bubbles for thumbs up/down, the last message seen by the poller) lives in `gr.State`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from app.agent.desk import SupportDesk, handled_by_person
from app.errors import InputError
from app.identity import VISITOR_COOKIE, Caller, VisitorTokens
from app.settings import Settings
from app.ui import render
from app.ui.file_inputs import UploadFolder, uploaded_paths
from app.ui.intro import EXAMPLES, HOW_IT_WORKS
from app.ui.notify import warn
from app.ui.transcript import transcript_view

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
NO_VISITOR = "Your browser session has no visitor id; please reload the page (cookies must be allowed)."


@dataclass(frozen=True)
class Pending:
    """A message accepted by `submit`, waiting for `stream` to answer it (for the same caller)."""

    conversation_id: str
    text: str
    attachment_ids: tuple[int, ...]
    caller: Caller


@dataclass
class ChatComponents:
    """The pieces of the chat tab that handlers read and write."""

    conversations: gr.Dropdown
    new_button: gr.Button
    banner: gr.Markdown
    chatbot: gr.Chatbot
    box: gr.MultimodalTextbox
    conversation_id: gr.State
    message_ids: gr.State
    last_id: gr.State
    pending: gr.State
    timer: gr.Timer
    visitor: gr.State


def request_caller(tokens: VisitorTokens, request: gr.Request | None) -> Caller:
    """The visitor behind this request's cookie; InputError when there is none (no cookie)."""
    cookies = getattr(request, "cookies", None) if request is not None else None
    token = cookies.get(VISITOR_COOKIE) if cookies is not None else None
    customer = tokens.customer(token if isinstance(token, str) else None)
    if customer is None:
        raise InputError(NO_VISITOR)
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return Caller(customer, ip=str(host) if host else None)


class ChatTab:
    """Event handlers of the chat tab, bound to one desk."""

    def __init__(
        self,
        desk: SupportDesk,
        settings: Settings,
        tokens: VisitorTokens,
        uploads: UploadFolder | None = None,
    ) -> None:
        self.desk = desk
        self.settings = settings
        self.tokens = tokens
        self.uploads = uploads or UploadFolder.of()

    def caller(self, request: gr.Request | None, visitor: Caller | None = None) -> Caller:
        """The page's visitor, as first seen by this page; else the one behind the request's cookie."""
        return visitor if isinstance(visitor, Caller) else request_caller(self.tokens, request)

    # --- reading ------------------------------------------------------------------------------
    def view(self, conversation_id: str) -> render.ChatView:
        """The stored conversation rendered, with cited passages looked up in the knowledge base."""
        return transcript_view(self.desk.transcript(conversation_id))

    def banner(self, conversation_id: str | None) -> dict[str, Any]:
        ticket = self.desk.ticket_for(conversation_id) if conversation_id else None
        text = render.escalation_banner(ticket, person_handling=handled_by_person(ticket))
        return gr.update(value=text, visible=bool(text))

    def choices(self, caller: Caller) -> list[tuple[str, str]]:
        """(label, id) of the caller's own earlier conversations, newest first."""
        return [(render.conversation_label(c), c.id) for c in self.desk.conversations(caller)]

    # --- handlers -----------------------------------------------------------------------------
    def restore(self, visitor: Caller | None, request: gr.Request):
        """On page load (and reload): list the visitor's conversations and reopen the latest."""
        try:
            caller = self.caller(request, visitor)
            options = self.choices(caller)
            if not options:
                empty = gr.update(choices=[], value=None)
                return empty, None, [], [], 0, gr.update(value="", visible=False), caller
            latest = options[0][1]
            view = self.view(latest)
            dropdown = gr.update(choices=options, value=latest)
            return (
                dropdown,
                latest,
                view.messages,
                view.message_ids,
                view.last_id,
                self.banner(latest),
                caller,
            )
        except Exception as exc:
            warn(exc, action="restore")
            return (gr.skip(),) * 7

    def open_conversation(self, conversation_id: str | None, visitor: Caller | None, request: gr.Request):
        """Show an earlier conversation picked in the dropdown (only one of the visitor's own)."""
        if not conversation_id:
            return None, [], [], 0, gr.update(value="", visible=False), gr.skip()
        try:
            caller = self.caller(request, visitor)
            self.desk.conversation(conversation_id, caller)
        except Exception as exc:
            warn(exc, action="open_conversation")
            return (gr.skip(),) * 6
        view = self.view(conversation_id)
        banner = self.banner(conversation_id)
        return conversation_id, view.messages, view.message_ids, view.last_id, banner, caller

    def new_conversation(self, visitor: Caller | None, request: gr.Request):
        """Start a fresh conversation for this visitor and select it."""
        try:
            caller = self.caller(request, visitor)
            conversation_id = self.desk.start_conversation(caller)
        except Exception as exc:
            warn(exc, action="new_conversation")
            return (gr.skip(),) * 7
        dropdown = gr.update(choices=self.choices(caller), value=conversation_id)
        return dropdown, conversation_id, [], [], 0, gr.update(value="", visible=False), caller

    def clear(self):
        """The chat's trash button starts afresh; the old conversation stays in the resume list."""
        return gr.update(value=None), None, [], 0, gr.update(value="", visible=False)

    def submit(
        self,
        conversation_id: str | None,
        box: dict[str, Any] | None,
        messages: list[dict[str, Any]],
        visitor: Caller | None,
        request: gr.Request,
    ):
        """Accept the message: store its files, show it at once, and leave the answer to `stream`.

        Only files uploaded to this server are read (`UploadFolder.check`); any other path is refused
        with a warning before anything is stored.
        """
        box = box if isinstance(box, dict) else {}
        typed = box.get("text") if isinstance(box.get("text"), str) else ""
        text = typed.strip()
        raw_files = box.get("files") if isinstance(box.get("files"), list) else []
        files: list[Path] = []
        try:
            files = [self.uploads.check(path) for path in uploaded_paths(raw_files)]
            if not text and not files:
                raise InputError("Type a message or attach a file first.")
            self.desk.check_message(text)  # before anything, even a new conversation, is stored
            caller = self.caller(request, visitor)
            if conversation_id:
                self.desk.conversation(conversation_id, caller)
            else:
                conversation_id = self.desk.start_conversation(caller)
        except Exception as exc:
            return refused(exc, messages, box=gr.skip())  # nothing was read: the box stays as it was
        try:
            attachment_ids = tuple(self._attach(conversation_id, path, caller) for path in files)
        except Exception as exc:  # the files were read and dropped from the upload cache: keep the text
            return refused(exc, messages, box=gr.update(value={"text": typed, "files": []}))
        shown = [*messages, render.user_message(text, [path.name for path in files])]
        box_update = gr.update(value=None, interactive=False)
        dropdown = gr.update(choices=self.choices(caller), value=conversation_id)
        pending = Pending(
            conversation_id, text or "Please look at the attached file.", attachment_ids, caller
        )
        return box_update, shown, conversation_id, dropdown, pending, caller

    def _attach(self, conversation_id: str, path: Path, caller: Caller) -> int:
        """Store one uploaded file; its copy in Gradio's cache is deleted, stored or refused."""
        try:
            if path.stat().st_size > self.settings.max_attachment_bytes:
                limit = self.settings.max_attachment_bytes // (1024 * 1024)
                raise InputError(f"'{path.name}' is larger than the {limit} MB limit.")
            record = self.desk.add_attachment(conversation_id, path.name, path.read_bytes(), caller=caller)
        finally:
            self.uploads.discard([path])
        if record.error:
            gr.Warning(f"{path.name}: stored, but its text could not be read ({record.error}).")
        return record.id

    async def stream(self, pending: Pending | None, messages: list[dict[str, Any]]) -> AsyncIterator[tuple]:
        """Stream the answer into the chat, then show the turn exactly as it was stored."""
        if pending is None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.update(interactive=True), None
            return
        turn = render.LiveTurn()
        restore: Any = gr.update(value=None, interactive=True)
        try:
            events = await asyncio.to_thread(  # the checks write the rate limits: off the event loop
                partial(
                    self.desk.stream_reply,
                    pending.conversation_id,
                    pending.text,
                    attachment_ids=pending.attachment_ids,
                    caller=pending.caller,
                )
            )
            async for event in events:
                turn = render.apply_event(turn, event)
                shown = [*messages, *render.live_messages(turn)]
                yield shown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), pending
        except Exception as exc:
            notice = [render.system_message(warn(exc, action="stream_reply"))]
            restore = gr.update(value={"text": pending.text, "files": []}, interactive=True)
        else:
            notice = []
        view = self.view(pending.conversation_id)
        yield (
            [*view.messages, *notice],
            view.message_ids,
            view.last_id,
            self.banner(pending.conversation_id),
            restore,
            None,
        )

    def rate(
        self,
        message_ids: list[int | None],
        visitor: Caller | None,
        data: gr.LikeData,
        request: gr.Request,
    ) -> None:
        """Store a thumbs up/down for the answer that was rated (one of the visitor's own)."""
        message_id = render.rating_target(message_ids or [], data.index)
        if message_id is None:
            gr.Info("Only the agent's answers can be rated.")
            return
        if data.liked not in (True, False):
            return
        try:
            self.desk.rate_answer(message_id, bool(data.liked), caller=self.caller(request, visitor))
        except Exception as exc:
            warn(exc, action="rate")
            return
        gr.Info("Thanks for your feedback!")

    def poll(self, conversation_id: str | None, last_id: int, pending: Pending | None):
        """Pull messages written elsewhere (a human agent's reply) and the ticket's state."""
        if not conversation_id or pending is not None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if not self.desk.has_messages_after(conversation_id, last_id):
            return gr.skip(), gr.skip(), gr.skip(), self.banner(conversation_id)
        view = self.view(conversation_id)
        return view.messages, view.message_ids, view.last_id, self.banner(conversation_id)


def refused(exc: BaseException, messages: list[dict[str, Any]], *, box: Any) -> tuple:
    """`submit`'s outputs for a refused message: the reason as a toast and as a notice in the chat
    (a toast alone can be missed, and an unqueued event shows none), the typed text kept."""
    notice = render.system_message(warn(exc, action="submit"))
    return box, [*messages, notice], gr.skip(), gr.skip(), None, gr.skip()


def build_chat_tab(
    demo: gr.Blocks, desk: SupportDesk, settings: Settings, tokens: VisitorTokens
) -> ChatComponents:
    """Lay out the chat tab inside the current Blocks context and wire its events."""
    handlers = ChatTab(desk, settings, tokens, UploadFolder.of(demo))
    gr.Markdown(f"{HOW_IT_WORKS}\n\n**Try a question:**", elem_id="how-it-works")
    with gr.Row(elem_id="examples"):
        examples = [
            gr.Button(f"{label}: {question}", size="sm", elem_classes="example-question")
            for label, question in EXAMPLES
        ]
    with gr.Row():
        conversations = gr.Dropdown(
            choices=[], value=None, label="Resume a conversation", scale=3, elem_id="conversation-picker"
        )
        new_button = gr.Button("New conversation", scale=0, elem_id="new-conversation")
    banner = gr.Markdown(visible=False, elem_id="escalation-banner")
    chatbot = gr.Chatbot(
        label="Support chat",
        height=520,
        elem_id="chatbot",
        buttons=["copy"],
        placeholder="Ask about plans, billing, your account… Attach a file with 📎.",
    )
    box = gr.MultimodalTextbox(
        placeholder="Type your question and press Enter",
        file_count="multiple",
        show_label=False,
        file_types=[f".{kind}" for kind in settings.allowed_attachment_types],
        elem_id="chat-input",
        interactive=False,  # until the page load below knows the visitor: see `enable_box`
    )
    parts = ChatComponents(
        conversations,
        new_button,
        banner,
        chatbot,
        box,
        gr.State(None),
        gr.State([]),
        gr.State(0),
        gr.State(None),
        gr.Timer(POLL_SECONDS),
        gr.State(None),
    )
    _wire(handlers, parts, settings.chat_concurrency_limit)
    accept, answer = _send_steps(handlers, parts, settings.chat_concurrency_limit)
    for button, (_label, question) in zip(examples, EXAMPLES, strict=True):
        hidden = {"api_visibility": "undocumented"}  # the same endpoints as Enter; not listed again
        button.click(partial(example_box, question), None, box, queue=False, **hidden).then(
            **accept, **hidden
        ).then(**answer, **hidden)
    demo.load(
        handlers.restore,
        parts.visitor,
        [
            conversations,
            parts.conversation_id,
            chatbot,
            parts.message_ids,
            parts.last_id,
            banner,
            parts.visitor,
        ],
    ).then(enable_box, None, box, queue=False, api_visibility="undocumented")
    return parts


def enable_box() -> dict[str, Any]:
    """The chat box opens once the page load has restored the visitor's conversation.

    A message sent before that was refused or shown, then wiped when the load's (empty) chat arrived.
    `.then` runs whether the load succeeded or not, so a failed restore never leaves the box shut.
    """
    return gr.update(interactive=True)


def example_box(question: str) -> dict[str, Any]:
    """The chat box holding an example question, as if the visitor had typed it."""
    return {"text": question, "files": []}


def _send_steps(handlers: ChatTab, p: ChatComponents, concurrency: int) -> tuple[dict, dict]:
    """The two events that send the box's message: accept it (shown at once), then stream the answer.

    Chained after an Enter in the box and after a click on an example question alike.
    """
    accept = {
        "fn": handlers.submit,
        "inputs": [p.conversation_id, p.box, p.chatbot, p.visitor],
        "outputs": [p.box, p.chatbot, p.conversation_id, p.conversations, p.pending, p.visitor],
        "queue": False,
    }
    answer = {
        "fn": handlers.stream,
        "inputs": [p.pending, p.chatbot],
        "outputs": [p.chatbot, p.message_ids, p.last_id, p.banner, p.box, p.pending],
        "concurrency_limit": concurrency,
    }
    return accept, answer


def _wire(handlers: ChatTab, p: ChatComponents, concurrency: int) -> None:
    reset = [p.conversations, p.conversation_id, p.chatbot, p.message_ids, p.last_id, p.banner]
    p.new_button.click(
        handlers.new_conversation, p.visitor, [*reset, p.visitor], concurrency_limit=concurrency
    )
    p.conversations.input(
        handlers.open_conversation,
        [p.conversations, p.visitor],
        [p.conversation_id, p.chatbot, p.message_ids, p.last_id, p.banner, p.visitor],
        concurrency_limit=concurrency,
    )
    accept, answer = _send_steps(handlers, p, concurrency)
    p.box.submit(**accept).then(**answer)
    p.chatbot.like(handlers.rate, [p.message_ids, p.visitor], None)
    cleared = [p.conversations, p.conversation_id, p.message_ids, p.last_id, p.banner]
    p.chatbot.clear(handlers.clear, None, cleared)
    p.timer.tick(
        handlers.poll,
        [p.conversation_id, p.last_id, p.pending],
        [p.chatbot, p.message_ids, p.last_id, p.banner],
        show_progress="hidden",
        concurrency_limit=concurrency,
    )
