"""The staff hand-off console: the ticket queue, a ticket's transcript, reply, assign, resolve.

Every handler takes the session token first and re-checks it with `StaffAuth.require` before it
reads or changes anything; a visitor without a valid token gets the sign-in form back and no
ticket data. All handlers return the same set of outputs (`ConsoleView`), so the page always
shows one consistent state: signed out, or signed in with the current queue and ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.agent.services import TICKET_PRIORITIES, TICKET_STATUSES, HandoffQueue
from app.errors import InputError, SupportError
from app.ui import render
from app.ui.notify import warn
from app.ui.staff_area import DISABLED_NOTICE
from app.ui.staff_auth import AccessDenied, StaffAuth
from app.ui.transcript import transcript_view

logger = logging.getLogger(__name__)

ANY = "any"
QUEUE_HEADERS = ["Ticket", "Status", "Priority", "Reason", "Assignee", "Updated"]


@dataclass
class ConsoleComponents:
    """Inputs every console action reads, and the outputs every action writes."""

    token: gr.State
    sign_in_panel: gr.Column
    console_panel: gr.Column
    who: gr.Markdown
    queue: gr.Dataframe
    picker: gr.Dropdown
    details: gr.Markdown
    transcript: gr.Chatbot
    reply_text: gr.Textbox
    status: gr.Dropdown
    priority: gr.Dropdown
    note: gr.Textbox

    @property
    def inputs(self) -> list[Any]:
        return [self.token, self.status, self.priority, self.picker, self.reply_text, self.note]

    @property
    def outputs(self) -> list[Any]:
        return [
            self.token,
            self.sign_in_panel,
            self.console_panel,
            self.who,
            self.queue,
            self.picker,
            self.details,
            self.transcript,
            self.reply_text,
            self.note,
        ]


def queue_rows(tickets: list[Any]) -> list[list[str]]:
    """One table row per ticket, oldest change last."""
    return [
        [
            t.number,
            t.status,
            t.priority,
            render.shorten(t.reason, 80),
            t.assignee or "—",
            t.updated_at.strftime("%Y-%m-%d %H:%M"),
        ]
        for t in tickets
    ]


def ticket_details(ticket: Any) -> str:
    """Summary, state and history of a ticket as escaped markdown."""
    lines = [
        f"### {render.inert(ticket.number)} — {render.inert(ticket.status)}, priority "
        f"{render.inert(ticket.priority)}",
        "",
        f"**Reason:** {render.inert(ticket.reason)}",
        "",
        f"**Assignee:** {render.inert(ticket.assignee or 'nobody yet')}",
        "",
        f"**Summary:** {render.inert(ticket.summary)}",
        "",
        "**History**",
        "",
    ]
    lines += [_history_line(event) for event in ticket.history]
    return "\n".join(lines)


def _history_line(event: dict[str, Any]) -> str:
    when, what, who = (render.inert(str(event.get(key) or "")) for key in ("ts", "event", "by"))
    text = render.inert(render.shorten(str(event.get("text") or ""), 120))
    return f"- {when[:19]} {what} by {who}" + (f": {text}" if text else "")


class ConsoleTab:
    """Console handlers over the hand-off queue, gated by `StaffAuth`."""

    def __init__(self, queue: HandoffQueue, auth: StaffAuth) -> None:
        self.queue = queue
        self.auth = auth

    def sign_in(
        self, username: str, password: str, status: str, priority: str, request: gr.Request | None = None
    ):
        """Check the credentials; on success issue a token and show the queue.

        A refusal is shown under the form, not as a toast: a toast would stay on screen after the
        next, correct attempt, as if that had failed too; the message goes as soon as one succeeds.
        """
        client = getattr(request, "client", None) if request is not None else None
        try:
            token = self.auth.sign_in(username, password, ip=getattr(client, "host", None))
        except AccessDenied as exc:
            logger.info("user-facing error", extra={"action": "console.sign_in", "error": str(exc)})
            return (*self.locked(), gr.skip(), gr.update(value=f"⚠️ {render.inert(str(exc))}", visible=True))
        return (*self.view(token, status, priority, None), "", gr.update(value="", visible=False))

    def open_row(
        self,
        token: str | None,
        status: str,
        priority: str,
        evt: gr.SelectData,
        text: str = "",
        note: str = "",
    ) -> tuple:
        """A click on a queue row opens that row's ticket (its number is in the first column)."""
        row = evt.row_value if isinstance(getattr(evt, "row_value", None), list) else []
        try:
            ticket_id = self.queue.ticket(str(row[0])).id if row else None
        except SupportError as exc:
            warn(exc, action="console.open_row")
            return (gr.skip(),) * 10
        return self.run(None)(token, status, priority, ticket_id, "", "")

    def sign_out(self, token: str | None):
        self.auth.sign_out(token)
        return self.locked()

    def locked(self) -> tuple:
        """The signed-out page: sign-in form only, every ticket field emptied."""
        empty_picker = gr.update(choices=[], value=None)
        return (None, gr.update(visible=True), gr.update(visible=False), "", [], empty_picker, "", [], "", "")

    def view(
        self, token: str, status: str, priority: str, ticket_id: int | None, *, clear: bool = False
    ) -> tuple:
        """The signed-in page: queue (filtered), the chosen ticket and its transcript."""
        staff = self.auth.require(token)
        tickets = self.queue.tickets(status=_filter(status), priority=_filter(priority))
        choices = [(f"{t.number} · {t.priority} · {render.shorten(t.reason, 40)}", t.id) for t in tickets]
        details, transcript = "", []
        if ticket_id is not None:
            ticket = self.queue.ticket(ticket_id)
            details = ticket_details(ticket)
            transcript = transcript_view(self.queue.transcript(ticket.conversation_id)).messages
        text_reset = "" if clear else gr.skip()
        who = f"Signed in as **{render.inert(staff)}**"
        return (
            token,
            gr.update(visible=False),
            gr.update(visible=True),
            who,
            queue_rows(tickets),
            gr.update(choices=choices, value=ticket_id),
            details,
            transcript,
            text_reset,
            text_reset,
        )

    def run(self, action: Callable[[str, int | None, str, str], None] | None, *, clear: bool = False):
        """Wrap one console action: check the token, act, then redraw the console."""

        def handler(
            token: str | None, status: str, priority: str, ticket_id: int | None, text: str, note: str
        ) -> tuple:
            try:
                staff = self.auth.require(token)
                if action is not None:
                    action(staff, ticket_id, text or "", note or "")
                return self.view(token or "", status, priority, ticket_id, clear=clear)
            except AccessDenied as exc:
                warn(exc, action="console")
                return self.locked()
            except SupportError as exc:
                warn(exc, action="console")
                return (gr.skip(),) * 10

        return handler

    # --- actions (staff already checked) ------------------------------------------------------
    def reply(self, staff: str, ticket_id: int | None, text: str, _note: str) -> None:
        if not text.strip():
            raise InputError("Write a reply first.")
        self.queue.reply(_require_ticket(ticket_id), staff, text.strip())
        logger.info("staff replied", extra={"ticket": ticket_id, "staff": staff})

    def assign(self, staff: str, ticket_id: int | None, _text: str, _note: str) -> None:
        self.queue.assign(_require_ticket(ticket_id), staff)

    def resolve(self, staff: str, ticket_id: int | None, _text: str, note: str) -> None:
        self.queue.resolve(_require_ticket(ticket_id), staff, note.strip() or None)

    def hand_back(self, staff: str, ticket_id: int | None, _text: str, _note: str) -> None:
        """The assistant answers the conversation again; the ticket closes."""
        self.queue.hand_back(_require_ticket(ticket_id), staff)


def _filter(value: str | None) -> str | None:
    return None if value in (None, "", ANY) else value


def _require_ticket(ticket_id: int | None) -> int:
    if ticket_id is None:
        raise InputError("Pick a ticket from the queue first.")
    return ticket_id


def build_console_tab(queue: HandoffQueue, auth: StaffAuth, token: gr.State) -> ConsoleComponents | None:
    """Lay out the console and the staff sign-in; only a notice when staff actions are disabled.

    `token` is the page's one staff session: signing in here also unlocks the staff sections of the
    knowledge and evaluation tabs.
    """
    if not auth.enabled:
        gr.Markdown(DISABLED_NOTICE, elem_id="console-disabled")
        return None
    handlers = ConsoleTab(queue, auth)
    with gr.Column(visible=True, elem_id="console-sign-in") as sign_in_panel:
        gr.Markdown(
            "### Staff sign-in\nSign in to see the hand-off queue and to manage the knowledge "
            "base and evaluations."
        )
        username = gr.Textbox(label="Username", elem_id="staff-username")
        password = gr.Textbox(label="Password", type="password", elem_id="staff-password")
        sign_in = gr.Button("Sign in", variant="primary", elem_id="staff-sign-in")
        refused = gr.Markdown(visible=False, elem_id="staff-sign-in-error")
    with gr.Column(visible=False, elem_id="console-panel") as console_panel:
        with gr.Row():
            who = gr.Markdown()
            sign_out = gr.Button("Sign out", scale=0, elem_id="staff-sign-out")
        with gr.Row():
            status = gr.Dropdown([ANY, *TICKET_STATUSES], value=ANY, label="Status")
            priority = gr.Dropdown([ANY, *TICKET_PRIORITIES], value=ANY, label="Priority")
            refresh = gr.Button("Refresh queue", scale=0, elem_id="queue-refresh")
        queue = gr.Dataframe(
            headers=QUEUE_HEADERS, value=None, interactive=False, label="Queue", elem_id="queue"
        )
        picker = gr.Dropdown(choices=[], value=None, label="Open ticket", elem_id="ticket-picker")
        with gr.Row():
            with gr.Column(scale=1):
                details = gr.Markdown(elem_id="ticket-details")
                assign = gr.Button("Assign to me", elem_id="ticket-assign")
                note = gr.Textbox(label="Resolution note", lines=2, elem_id="ticket-note")
                resolve = gr.Button("Resolve", variant="stop", elem_id="ticket-resolve")
                hand_back = gr.Button("Hand back to the assistant", elem_id="ticket-hand-back")
            with gr.Column(scale=2):
                transcript = gr.Chatbot(
                    label="Transcript", height=380, elem_id="ticket-transcript", feedback_options=None
                )
                reply_text = gr.Textbox(label="Reply to the customer", lines=3, elem_id="ticket-reply")
                send = gr.Button("Send reply", variant="primary", elem_id="ticket-send")
    parts = ConsoleComponents(
        token,
        sign_in_panel,
        console_panel,
        who,
        queue,
        picker,
        details,
        transcript,
        reply_text,
        status,
        priority,
        note,
    )
    sign_in_outputs = [*parts.outputs, password, refused]
    sign_in.click(handlers.sign_in, [username, password, status, priority], sign_in_outputs)
    password.submit(handlers.sign_in, [username, password, status, priority], sign_in_outputs)
    queue.select(handlers.open_row, [token, status, priority], parts.outputs)
    sign_out.click(handlers.sign_out, token, parts.outputs)
    for trigger in (refresh.click, status.input, priority.input, picker.input):
        trigger(handlers.run(None), parts.inputs, parts.outputs)
    send.click(handlers.run(handlers.reply, clear=True), parts.inputs, parts.outputs)
    assign.click(handlers.run(handlers.assign), parts.inputs, parts.outputs)
    resolve.click(handlers.run(handlers.resolve, clear=True), parts.inputs, parts.outputs)
    hand_back.click(handlers.run(handlers.hand_back), parts.inputs, parts.outputs)
    return parts
