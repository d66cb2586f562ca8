"""`build_ui(desk, settings)`: the whole Gradio app — chat, knowledge, hand-off console, evaluation.

Building the Blocks does no I/O; data is loaded by event handlers, so tests (and the server)
can build the UI cheaply. One staff session token (a `gr.State`) serves the whole staff area: the
console signs in, and the knowledge and evaluation tabs' staff actions check the same token.
Launching is the server's job (`app.server`), never done here.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from app.identity import VisitorTokens
from app.settings import Settings
from app.ui.chat_tab import build_chat_tab
from app.ui.console import build_console_tab
from app.ui.eval_tab import build_eval_tab
from app.ui.knowledge_tab import build_knowledge_tab
from app.ui.staff_auth import StaffAuth

TITLE = "Customer support desk"
CSS = """
#escalation-banner { background: #fff4e5; border: 1px solid #f0a020; border-radius: 8px; padding: 4px 12px; }
#console-disabled, .staff-disabled { background: #f4f4f5; border-radius: 8px; padding: 4px 12px; }
"""
THEME = gr.themes.Soft


def build_ui(
    desk: Any, settings: Settings, *, auth: StaffAuth | None = None, tokens: VisitorTokens | None = None
) -> gr.Blocks:
    """The app's Blocks over one `SupportDesk` (its store and knowledge base).

    `tokens` must be the server's: the chat reads the visitor cookie its middleware signs.
    """
    auth = auth or StaffAuth.from_settings(settings)
    tokens = tokens or VisitorTokens.from_settings(settings)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        staff_token = gr.State(None)
        gr.Markdown(
            f"## 🛟 {TITLE}\nAnswers come from our help centre, with sources; a person takes "
            "over when the agent cannot help."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                build_chat_tab(demo, desk, settings, tokens)
            with gr.Tab("Knowledge", id="knowledge"):
                build_knowledge_tab(demo, desk.kb, settings, auth, staff_token)
            with gr.Tab("Hand-off console", id="console"):
                build_console_tab(desk.store, auth, staff_token)
            with gr.Tab("Evaluation", id="evaluation"):
                build_eval_tab(settings, auth, staff_token)
    return demo
