"""`build_ui(desk, settings)`: the whole Gradio app — chat, knowledge, hand-off console, evaluation.

Building the Blocks does no I/O; data is loaded by event handlers, so tests (and the server)
can build the UI cheaply. One staff session token (a `gr.State`) serves the whole staff area: the
console signs in, and the knowledge and evaluation tabs' staff actions check the same token.
Launching is the server's job (`app.server`), never done here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from app.identity import VisitorTokens
from app.settings import Settings
from app.ui.chat_tab import build_chat_tab
from app.ui.console import build_console_tab
from app.ui.eval_tab import build_eval_tab
from app.ui.intro import HEADER
from app.ui.knowledge_tab import build_knowledge_tab
from app.ui.staff_auth import StaffAuth

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk

TITLE = "Kestrel help desk · AI support agent demo"
CSS = """
#escalation-banner { background: #fff4e5; border: 1px solid #f0a020; border-radius: 8px; padding: 4px 12px; }
#console-disabled, .staff-disabled { background: #f4f4f5; border-radius: 8px; padding: 4px 12px; }
.example-question { font-size: 0.85em !important; }
"""
THEME = gr.themes.Soft
STAFF_TAB_LABELS = {False: "Staff sign-in", True: "Hand-off console"}


def build_ui(
    desk: SupportDesk,
    settings: Settings,
    *,
    auth: StaffAuth | None = None,
    tokens: VisitorTokens | None = None,
) -> gr.Blocks:
    """The app's Blocks over one `SupportDesk`: its turns, its knowledge catalogue and its hand-off queue.

    `tokens` must be the server's: the chat reads the visitor cookie its middleware signs.
    """
    auth = auth or StaffAuth.from_settings(settings)
    tokens = tokens or VisitorTokens.from_settings(settings)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        staff_token = gr.State(None)
        gr.Markdown(HEADER, elem_id="intro")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Chat", id="chat"):
                build_chat_tab(demo, desk, settings, tokens)
            with gr.Tab("Knowledge", id="knowledge"):
                build_knowledge_tab(demo, desk.knowledge, settings, auth, staff_token)
            with gr.Tab(STAFF_TAB_LABELS[False], id="console") as console_tab:
                build_console_tab(desk.handoff, auth, staff_token)
            with gr.Tab("Evaluation", id="evaluation", visible=False) as eval_tab:
                build_eval_tab(settings, auth, staff_token)
        staff_token.change(
            StaffTabs(auth).update, staff_token, [console_tab, eval_tab], show_progress="hidden"
        )
    return demo


class StaffTabs:
    """Customers see the chat and the help centre; staff tabs appear once staff have signed in."""

    def __init__(self, auth: StaffAuth) -> None:
        self.auth = auth

    def update(self, token: str | None) -> tuple[Any, Any]:
        """(console tab, evaluation tab) for the holder of `token`: a sign-in tab, or the staff tabs."""
        signed_in = self.auth.signed_in(token)
        return gr.update(label=STAFF_TAB_LABELS[signed_in]), gr.update(visible=signed_in)
