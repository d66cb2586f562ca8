"""The chat's handlers serve only the visitor behind the request, whatever a client sends them.

Gradio itself refuses a dropdown value it never offered, but the handlers do not rely on it: they
are called here directly, with a real SQLite store, as a forged event would reach them.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from app.agent.desk import SupportDesk
from app.identity import VISITOR_COOKIE, Caller, VisitorTokens
from app.store import FileStore, Store
from app.ui.chat_tab import ChatTab


def request(token: str | None) -> SimpleNamespace:
    """What a Gradio event hands a handler: the request's cookies and client address."""
    return SimpleNamespace(
        cookies={VISITOR_COOKIE: token} if token else {}, client=SimpleNamespace(host="10.0.0.9")
    )


@pytest.fixture
def chat(settings) -> ChatTab:
    store = Store.from_settings(settings)
    desk = SupportDesk(settings, kb=None, store=store, files=FileStore.from_settings(settings), agent=None)
    yield ChatTab(desk, settings, VisitorTokens.from_settings(settings))
    store.close()


def test_a_forged_conversation_id_opens_nothing(chat: ChatTab) -> None:
    victim, attacker = chat.tokens.issue(), chat.tokens.issue()
    owned = chat.desk.start_conversation(chat.caller(request(victim)))
    chat.desk.store.messages.add(owned, "user", "my card ends in 4242")

    assert chat.open_conversation(owned, None, request(victim))[0] == owned
    refused = chat.open_conversation(owned, None, request(attacker))
    assert "4242" not in str(refused) and refused[0] is not owned
    remembered = Caller(chat.tokens.customer(attacker))  # the page's own visitor beats any cookie
    assert "4242" not in str(chat.open_conversation(owned, remembered, request(victim)))


def test_without_a_genuine_cookie_nothing_is_started(chat: ChatTab) -> None:
    for token in (None, "forged", "v1." + "a" * 32 + ".bad"):
        with pytest.warns(UserWarning, match="no visitor id"):
            outputs = chat.new_conversation(None, request(token))
        assert outputs == (gr.skip(),) * 7
    with chat.desk.store.db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM conversations").scalar() == 0
