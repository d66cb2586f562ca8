"""Faults with real parts: a process killed mid-turn, a Chroma server or a database that goes away, a
chat model that hangs or answers garbage. The process killed during ingestion is covered by
tests/knowledge/test_kb_crash.py.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import write_corpus
from fault_chat_server import ANSWER, FaultyChatServer
from servers import REPO_ROOT, chroma_server, pause_postgres, pg_module, resume_postgres, running

from app.errors import ModelUnavailableError, StoreUnavailableError

pytestmark = pytest.mark.anyio


def healthz(desk, settings) -> tuple[int, dict]:
    """GET /healthz on the real FastAPI app (Gradio mounted), in process."""
    from fastapi.testclient import TestClient

    from app.server import create_app

    with TestClient(create_app(settings, desk)) as client:
        response = client.get("/healthz")
    return response.status_code, response.json()


async def test_process_killed_mid_reply_leaves_no_half_turn_and_the_conversation_resumes(settings, rel_kb):
    from app.agent.desk import SupportDesk

    with FaultyChatServer("hang", hang_s=120) as chat:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        worker = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("turn_worker.py")),
                str(settings.data_dir),
                chat.base_url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            conversation = worker.stdout.readline().strip()
            assert conversation, worker.stderr.read()
            assert chat.requested.wait(60), "the worker never reached the model"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
    assert worker.returncode == -signal.SIGKILL

    desk = SupportDesk.from_settings(settings, kb=rel_kb)
    try:
        stored = desk.history(conversation)
        assert [m.role for m in stored] == ["user"]
        assert stored[0].content.startswith("Where is my order KX-4471?") and len(stored[0].content) > 1000
        result = await desk.reply(conversation, "How much is the Plus plan?")
        assert "$12" in result.text
        assert [m.role for m in desk.history(conversation)] == ["user", "user", "assistant"]
        with desk.store.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        desk.close()


@pytest.mark.parametrize("mode", ["hang", "garbage"])
async def test_chat_model_that_hangs_or_answers_garbage_gets_a_polite_error_then_recovers(
    settings, rel_kb, caplog, mode: str
) -> None:
    from app.agent.desk import SupportDesk

    with FaultyChatServer(mode, hang_s=5) as chat:
        overrides = {"chat_provider": "openai", "openai_base_url": chat.base_url, "chat_timeout_s": 0.5}
        chat_settings = settings.model_copy(update=overrides)
        desk = SupportDesk.from_settings(chat_settings, kb=rel_kb)
        conversation = desk.start_conversation("c-model-fault")
        with caplog.at_level(logging.ERROR), pytest.raises(ModelUnavailableError, match="try again"):
            await desk.reply(conversation, "Hello?")
        assert any(record.message == "agent run failed" for record in caplog.records)
        assert [m.role for m in desk.history(conversation)] == ["user"]

        chat.mode = "ok"
        result = await desk.reply(conversation, "Hello again?")
        assert result.text == ANSWER
        assert [m.role for m in desk.history(conversation)] == ["user", "user", "assistant"]
        desk.close()


async def test_chroma_server_down_gives_a_keyword_answer_a_red_healthz_and_recovers(settings, tmp_path):
    from app.agent.desk import SupportDesk
    from app.knowledge.base import KnowledgeBase

    server = chroma_server(tmp_path / "chroma", tmp_path)
    with running(server):
        served = settings.model_copy(update={"chroma_host": server.address})
        kb = KnowledgeBase.from_settings(served)
        kb.ingest_path(_kb_folder(tmp_path))
        desk = SupportDesk.from_settings(served, kb=kb)
        conversation = desk.start_conversation("c-chroma")
        assert "$12" in (await desk.reply(conversation, "How much is the Plus plan?")).text
        assert healthz(desk, served)[0] == 200

        server.stop()
        degraded = await desk.reply(conversation, "How much is the Plus plan?")
        status, body = healthz(desk, served)
        assert "$12" in degraded.text and degraded.citations  # answered from keyword search
        assert status == 503 and not body["components"]["vector_store"]["ok"]
        assert "cannot be reached" in body["components"]["vector_store"]["error"]
        assert body["components"]["database"]["ok"]

        server.start()
        assert healthz(desk, served)[0] == 200
        assert "$12" in (await desk.reply(conversation, "How much is the Plus plan?")).text
        assert [m.role for m in desk.history(conversation)] == ["user", "assistant"] * 3
        desk.close()


def _kb_folder(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture(scope="module")
def postgres():
    pg = pg_module()
    try:
        server = pg.start_postgres()
    except pg.PostgresUnavailable as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    yield server
    server.stop()


async def test_database_down_gives_a_clear_error_and_a_red_healthz_then_recovers(settings, rel_kb, postgres):
    from app.agent.desk import SupportDesk

    on_pg = settings.model_copy(update={"database_url": postgres.url})
    desk = SupportDesk.from_settings(on_pg, kb=rel_kb)
    conversation = desk.start_conversation("c-pg")
    await desk.reply(conversation, "How much is the Plus plan?")

    pause_postgres(postgres)
    try:
        with pytest.raises(StoreUnavailableError, match="unavailable"):
            await desk.reply(conversation, "Are you there?")
        with pytest.raises(StoreUnavailableError):
            desk.start_conversation("c-pg-2")
        status, body = healthz(desk, on_pg)
        assert status == 503 and body["components"]["database"] == {"ok": False}
        assert body["components"]["vector_store"]["ok"]
    finally:
        resume_postgres(postgres)

    assert healthz(desk, on_pg)[0] == 200
    await desk.reply(conversation, "Are you there now?")
    assert [m.role for m in desk.history(conversation)] == ["user", "assistant"] * 2
    desk.close()
