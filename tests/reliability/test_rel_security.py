"""Rate limiting, sign-in for staff actions, and secrets kept out of logs and the config command."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from servers import REPO_ROOT

from app.errors import InputError
from app.logs import configure_logging
from app.ratelimit import Limits, RateLimitedError, RateLimiter
from app.ui.console import ConsoleTab
from app.ui.file_inputs import UploadFolder
from app.ui.staff_auth import AccessDenied, StaffAuth

pytestmark = pytest.mark.anyio

SECRET = "sk-test-SECRET-0123456789abcdef"
STAFF_PASSWORD = "staff-pw-SECRET-42"


async def test_rate_limit_refuses_the_message_over_the_limit_and_stores_nothing(desk) -> None:
    desk.rate_limiter.limits.per_conversation = 3
    conversation = desk.start_conversation("c-fast")
    other = desk.start_conversation("c-fast")
    for _ in range(3):
        await desk.reply(conversation, "Hello")
    before = desk.history(conversation)

    with pytest.raises(RateLimitedError, match="at most 3 a minute") as refused:
        await desk.reply(conversation, "How much is the Plus plan?")
    with pytest.raises(InputError):
        desk.stream_reply(conversation, "And now?")

    assert 0 < refused.value.retry_after_s <= 60
    assert desk.history(conversation) == before
    assert (await desk.reply(other, "Hello")).text  # the limit is per conversation


def test_rate_limit_window_slides(desk) -> None:
    conversation = desk.start_conversation("c-window")
    now = datetime.now(UTC)
    limiter = RateLimiter(desk.store, Limits(per_conversation=2), clock=lambda: now)
    for _ in range(2):
        limiter.check_message(conversation)
    with pytest.raises(RateLimitedError):
        limiter.check_message(conversation)
    later = RateLimiter(desk.store, Limits(per_conversation=2), clock=lambda: now + timedelta(seconds=61))
    later.check_message(conversation)  # both messages are older than a minute by then


def test_rate_limit_counts_messages_stored_by_any_process(desk) -> None:
    """Two desks over one database share the count, as two workers behind a load balancer would."""
    from app.agent.desk import SupportDesk

    twin = SupportDesk.from_settings(desk.settings, kb=desk.kb)
    conversation = desk.start_conversation("c-two-workers")
    desk.rate_limiter.limits.per_conversation = twin.rate_limiter.limits.per_conversation = 2
    desk.rate_limiter.check_message(conversation)
    twin.rate_limiter.check_message(conversation)
    with pytest.raises(RateLimitedError):
        twin.rate_limiter.check_message(conversation)
    twin.close()


def test_every_console_action_needs_a_valid_token(desk) -> None:
    conversation = desk.start_conversation("c-help")
    ticket, _ = desk.store.tickets.open(conversation, reason="help", priority="normal", summary="s")
    console = ConsoleTab(desk.handoff, StaffAuth("sam", STAFF_PASSWORD))
    for action in (console.reply, console.assign, console.resolve, None):
        for token in (None, "", "forged", STAFF_PASSWORD):
            outputs = console.run(action)(token, "any", "any", ticket.id, "text", "note")
            assert outputs[0] is None and outputs[4] == []  # signed out, no queue shown
    unchanged = desk.store.tickets.get(ticket.id)
    assert unchanged.status == "open" and unchanged.assignee is None
    assert [m.role for m in desk.history(conversation)] == []
    with pytest.raises(AccessDenied):
        console.view("forged", "any", "any", ticket.id)


def test_console_is_disabled_without_configured_credentials() -> None:
    auth = StaffAuth(None, None)
    with pytest.raises(AccessDenied, match="disabled"):
        auth.sign_in("", "")
    with pytest.raises(AccessDenied):
        auth.require("anything")


ANONYMOUS_TOKENS = (None, "", "forged", STAFF_PASSWORD)


def _knowledge_tabs(kb, settings, auth: StaffAuth) -> list:
    """The tab gated by configured credentials, and one on a server with none configured."""
    from app.ui.knowledge_tab import KnowledgeTab

    return [KnowledgeTab(kb, settings, auth), KnowledgeTab(kb, settings, StaffAuth(None, None))]


def _no_progress(*_args: object, **_kwargs: object) -> None:
    """Stands in for the Gradio progress bar, which needs a running event."""


@pytest.fixture
def gift_kb(settings, tmp_path):
    """A real knowledge base holding one document, `gift`."""
    from app.knowledge.base import KnowledgeBase

    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "gift.md").write_text("# Gift cards\n\nGift cards never expire.", encoding="utf-8")
    kb = KnowledgeBase.from_settings(settings)
    kb.ingest_path(folder)
    return kb


def test_removing_knowledge_requires_sign_in(settings, gift_kb) -> None:
    """Admin actions of the knowledge tab need a staff token, like the console's."""
    from app.ui.knowledge_tab import KnowledgeTab

    auth = StaffAuth("sam", STAFF_PASSWORD)
    for tab in _knowledge_tabs(gift_kb, settings, auth):
        for token in ANONYMOUS_TOKENS:
            tab.remove(token, "gift")  # an anonymous visitor's click, or a forged call
    assert [d.doc_id for d in gift_kb.list_documents()] == ["gift"]
    KnowledgeTab(gift_kb, settings, auth).remove(auth.sign_in("sam", STAFF_PASSWORD), "gift")
    assert gift_kb.list_documents() == []


def test_uploading_knowledge_requires_sign_in(settings, gift_kb, tmp_path) -> None:
    from app.ui.knowledge_tab import KnowledgeTab

    upload = tmp_path / "refunds.md"
    upload.write_text("# Refunds\n\nRefunds take five days.", encoding="utf-8")
    auth = StaffAuth("sam", STAFF_PASSWORD)
    for tab in _knowledge_tabs(gift_kb, settings, auth):
        for token in ANONYMOUS_TOKENS:
            report = tab.add(token, [str(upload)], progress=_no_progress)[0]
            assert "sign in" in report or "disabled" in report
    assert [d.doc_id for d in gift_kb.list_documents()] == ["gift"]
    assert not (settings.data_dir / "uploads").exists()  # refused before anything was staged
    token = auth.sign_in("sam", STAFF_PASSWORD)
    signed_in = KnowledgeTab(gift_kb, settings, auth, UploadFolder(tmp_path.resolve()))
    report = signed_in.add(token, [str(upload)], progress=_no_progress)[0]
    assert report.startswith("✅")
    assert sorted(d.doc_id for d in gift_kb.list_documents()) == ["gift", "refunds"]


def test_running_an_evaluation_requires_sign_in(settings) -> None:
    from app.ui.eval_tab import EvalTab

    auth = StaffAuth("sam", STAFF_PASSWORD)
    for tab in (EvalTab(settings, auth), EvalTab(settings, StaffAuth(None, None))):
        for token in ANONYMOUS_TOKENS:
            summary, metrics, failing = tab.run(
                token, "datasets/dialogues/dev.jsonl", "", 1, progress=_no_progress
            )
            assert ("sign in" in summary or "disabled" in summary) and metrics == failing == []
    assert not (settings.data_dir / "eval-runs").exists()
    # a signed-in member of staff gets past the gate: the dataset check answers, not the sign-in one
    summary = EvalTab(settings, auth).run(
        auth.sign_in("sam", STAFF_PASSWORD), " ", "", None, progress=_no_progress
    )[0]
    assert "Pick a dataset" in summary


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, str]:
    env = {
        "OPENAI_API_KEY": SECRET,
        "SUPPORT_STAFF_USERNAME": "sam",
        "SUPPORT_STAFF_PASSWORD": STAFF_PASSWORD,
        "SUPPORT_DATABASE_URL": "postgresql+psycopg://support:db-SECRET-pw@db.internal:5432/support",
        "SUPPORT_JUDGE_API_KEY": "sk-judge-SECRET-999999",
        "SUPPORT_DATA_DIR": str(tmp_path / "data"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_config_command_never_prints_a_secret(secret_env: dict[str, str], tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "config"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["openai_api_key"] == "********" and shown["staff_password"] == "********"
    for secret in (SECRET, STAFF_PASSWORD, "sk-judge-SECRET", "SECRET"):
        assert secret not in result.stdout + result.stderr


@pytest.fixture
def log_stream() -> io.StringIO:
    """The app's JSON logging into a buffer for one test, then the root logger as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_turn_logs_no_secret(desk, secret_env, log_stream: io.StringIO) -> None:
    from app.settings import load_settings

    stream = log_stream
    settings = load_settings(knowledge_dir=desk.settings.knowledge_dir, environment="test")
    assert settings.openai_api_key.get_secret_value() == SECRET
    logging.getLogger("app.test").info("settings in effect", extra={"settings": settings.masked()})
    logging.getLogger("app.test").warning("leaky call with key=%s", SECRET)
    conversation = desk.start_conversation("c-secret")
    await desk.reply(conversation, f"My API key is {SECRET}, how much is the Plus plan?")

    written = stream.getvalue()
    assert "turn answered" in written
    assert SECRET not in written and STAFF_PASSWORD not in written and "db-SECRET-pw" not in written
