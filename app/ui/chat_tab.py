"""The customer chat: pick or resume a conversation, send text and files, stream the answer.

Handlers only call `SupportDesk` and the store, and hand records to `app.ui.render`; the
per-browser state (which conversation, the message ids behind the bubbles for thumbs up/down,
the last message seen by the poller) lives in `gr.State`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from app.agent.events import TurnDone
from app.errors import InputError
from app.settings import Settings
from app.ui import render
from app.ui.file_inputs import UploadFolder, uploaded_paths
from app.ui.notify import warn
from app.ui.transcript import load_view

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
DEFAULT_CUSTOMER = "demo-customer"


@dataclass(frozen=True)
class Pending:
    """A message accepted by `submit`, waiting for `stream` to answer it."""

    conversation_id: str
    text: str
    attachment_ids: tuple[int, ...]


@dataclass
class ChatComponents:
    """The pieces of the chat tab that handlers read and write."""

    customer: gr.Textbox
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
    shown_customer: gr.State


class ChatTab:
    """Event handlers of the chat tab, bound to one desk."""

    def __init__(
        self, desk: Any, settings: Settings, metrics: Any | None = None, uploads: UploadFolder | None = None
    ) -> None:
        self.desk = desk
        self.settings = settings
        self.metrics = metrics
        self.uploads = uploads or UploadFolder.of()

    # --- reading ------------------------------------------------------------------------------
    def view(self, conversation_id: str) -> render.ChatView:
        """The stored conversation rendered, with cited passages looked up in the knowledge base."""
        return load_view(self.desk.store, conversation_id, self.desk.kb)

    def banner(self, conversation_id: str | None) -> dict[str, Any]:
        ticket = self.desk.store.tickets.for_conversation(conversation_id) if conversation_id else None
        text = render.escalation_banner(ticket)
        return gr.update(value=text, visible=bool(text))

    def choices(self, customer: str) -> list[tuple[str, str]]:
        """(label, id) of the customer's earlier conversations, newest first."""
        customer = (customer or "").strip()
        if not customer:
            return []
        record = self.desk.store.customers.get_or_create(customer)
        earlier = self.desk.store.conversations.list_for_customer(record.id)
        return [(render.conversation_label(conversation), conversation.id) for conversation in earlier]

    # --- handlers -----------------------------------------------------------------------------
    def switch_customer(self, customer: str, shown: str | None):
        """A different customer id: list their conversations and start with an empty chat.

        The same id again (the field merely lost focus) changes nothing, so the chat is kept.
        """
        customer = (customer or "").strip()
        if customer == (shown or ""):
            return (gr.skip(),) * 7
        try:
            options = self.choices(customer)
        except Exception as exc:
            warn(exc, action="switch_customer")
            options = []
        empty_banner = gr.update(value="", visible=False)
        return gr.update(choices=options, value=None), None, [], [], 0, empty_banner, customer

    def initial_choices(self, customer: str):
        """On page load: the default customer's earlier conversations, none selected."""
        try:
            return gr.update(choices=self.choices(customer), value=None)
        except Exception as exc:
            warn(exc, action="initial_choices")
            return gr.skip()

    def open_conversation(self, conversation_id: str | None):
        """Show an earlier conversation picked in the dropdown."""
        if not conversation_id:
            return None, [], [], 0, gr.update(value="", visible=False)
        view = self.view(conversation_id)
        return conversation_id, view.messages, view.message_ids, view.last_id, self.banner(conversation_id)

    def new_conversation(self, customer: str):
        """Start a fresh conversation for this customer and select it."""
        try:
            conversation_id = self.desk.start_conversation(self._customer(customer))
        except Exception as exc:
            warn(exc, action="new_conversation")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        dropdown = gr.update(choices=self.choices(customer), value=conversation_id)
        return dropdown, conversation_id, [], [], 0, gr.update(value="", visible=False)

    def clear(self):
        """The chat's trash button starts afresh; the old conversation stays in the resume list."""
        return gr.update(value=None), None, [], 0, gr.update(value="", visible=False)

    def submit(
        self,
        customer: str,
        conversation_id: str | None,
        box: dict[str, Any] | None,
        messages: list[dict[str, Any]],
    ):
        """Accept the message: store its files, show it at once, and leave the answer to `stream`.

        Only files uploaded to this server are read (`UploadFolder.check`); any other path is refused
        with a warning before anything is stored.
        """
        box = box if isinstance(box, dict) else {}
        text = box.get("text") if isinstance(box.get("text"), str) else ""
        text = text.strip()
        raw_files = box.get("files") if isinstance(box.get("files"), list) else []
        keep = (gr.skip(),) * 4 + (None,)
        try:
            files = [self.uploads.check(path) for path in uploaded_paths(raw_files)]
            if not text and not files:
                raise InputError("Type a message or attach a file first.")
            if len(text) > self.settings.max_message_chars:
                raise InputError(
                    f"Your message is too long ({len(text)} characters; "
                    f"at most {self.settings.max_message_chars})."
                )
            conversation_id = conversation_id or self.desk.start_conversation(self._customer(customer))
            attachment_ids = tuple(self._attach(conversation_id, path) for path in files)
        except Exception as exc:
            warn(exc, action="submit")
            return keep
        shown = [*messages, render.user_message(text, [path.name for path in files])]
        box_update = gr.update(value=None, interactive=False)
        dropdown = gr.update(choices=self.choices(customer), value=conversation_id)
        pending = Pending(conversation_id, text or "Please look at the attached file.", attachment_ids)
        return box_update, shown, conversation_id, dropdown, pending

    def _attach(self, conversation_id: str, path: Path) -> int:
        """Store one uploaded file; its copy in Gradio's cache is deleted, stored or refused."""
        try:
            if path.stat().st_size > self.settings.max_attachment_bytes:
                limit = self.settings.max_attachment_bytes // (1024 * 1024)
                raise InputError(f"'{path.name}' is larger than the {limit} MB limit.")
            record = self.desk.add_attachment(conversation_id, path.name, path.read_bytes())
        finally:
            self.uploads.discard([path])
        if record.error:
            gr.Warning(f"{path.name}: stored, but its text could not be read ({record.error}).")
        return record.id

    def _customer(self, customer: str) -> str:
        customer = (customer or "").strip()
        if not customer:
            raise InputError("Enter a customer id first.")
        return customer

    async def stream(self, pending: Pending | None, messages: list[dict[str, Any]]) -> AsyncIterator[tuple]:
        """Stream the answer into the chat, then show the turn exactly as it was stored."""
        if pending is None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.update(interactive=True), None
            return
        turn = render.LiveTurn()
        restore: Any = gr.update(value=None, interactive=True)
        try:
            async for event in self.desk.stream_reply(
                pending.conversation_id, pending.text, attachment_ids=pending.attachment_ids
            ):
                turn = render.apply_event(turn, event)
                if isinstance(event, TurnDone) and self.metrics is not None:
                    self.metrics.observe_turn(event.result)
                shown = [*messages, *render.live_messages(turn)]
                yield shown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), pending
        except Exception as exc:
            if self.metrics is not None:
                self.metrics.observe_failure()
            warn(exc, action="stream_reply")
            restore = gr.update(value={"text": pending.text, "files": []}, interactive=True)
        view = self.view(pending.conversation_id)
        yield (
            view.messages,
            view.message_ids,
            view.last_id,
            self.banner(pending.conversation_id),
            restore,
            None,
        )

    def rate(self, message_ids: list[int | None], data: gr.LikeData) -> None:
        """Store a thumbs up/down for the answer that was rated."""
        message_id = render.rating_target(message_ids or [], data.index)
        if message_id is None:
            gr.Info("Only the agent's answers can be rated.")
            return
        if data.liked not in (True, False):
            return
        try:
            self.desk.store.feedback.add(message_id, 1 if data.liked else -1)
        except Exception as exc:
            warn(exc, action="rate")
            return
        gr.Info("Thanks for your feedback!")

    def poll(self, conversation_id: str | None, last_id: int, pending: Pending | None):
        """Pull messages written elsewhere (a human agent's reply) and the ticket's state."""
        if not conversation_id or pending is not None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        fresh = self.desk.store.messages.list(conversation_id, after_id=last_id or None)
        if not fresh:
            return gr.skip(), gr.skip(), gr.skip(), self.banner(conversation_id)
        view = self.view(conversation_id)
        return view.messages, view.message_ids, view.last_id, self.banner(conversation_id)


def build_chat_tab(
    demo: gr.Blocks, desk: Any, settings: Settings, metrics: Any | None = None
) -> ChatComponents:
    """Lay out the chat tab inside the current Blocks context and wire its events."""
    handlers = ChatTab(desk, settings, metrics, UploadFolder.of(demo))
    with gr.Row():
        customer = gr.Textbox(value=DEFAULT_CUSTOMER, label="Customer id", scale=1, elem_id="customer-id")
        conversations = gr.Dropdown(
            choices=[], value=None, label="Resume a conversation", scale=2, elem_id="conversation-picker"
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
    )
    parts = ChatComponents(
        customer,
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
        gr.State(DEFAULT_CUSTOMER),
    )
    _wire(handlers, parts)
    demo.load(handlers.initial_choices, customer, conversations)
    return parts


def _wire(handlers: ChatTab, p: ChatComponents) -> None:
    reset = [p.conversations, p.conversation_id, p.chatbot, p.message_ids, p.last_id, p.banner]
    for trigger in (p.customer.submit, p.customer.blur):
        trigger(handlers.switch_customer, [p.customer, p.shown_customer], [*reset, p.shown_customer])
    p.new_button.click(handlers.new_conversation, p.customer, reset)
    p.conversations.input(
        handlers.open_conversation,
        p.conversations,
        [p.conversation_id, p.chatbot, p.message_ids, p.last_id, p.banner],
    )
    p.box.submit(
        handlers.submit,
        [p.customer, p.conversation_id, p.box, p.chatbot],
        [p.box, p.chatbot, p.conversation_id, p.conversations, p.pending],
        queue=False,
    ).then(
        handlers.stream,
        [p.pending, p.chatbot],
        [p.chatbot, p.message_ids, p.last_id, p.banner, p.box, p.pending],
    )
    p.chatbot.like(handlers.rate, p.message_ids, None)
    cleared = [p.conversations, p.conversation_id, p.message_ids, p.last_id, p.banner]
    p.chatbot.clear(handlers.clear, None, cleared)
    p.timer.tick(
        handlers.poll,
        [p.conversation_id, p.last_id, p.pending],
        [p.chatbot, p.message_ids, p.last_id, p.banner],
        show_progress="hidden",
    )
