"""Finding 7 and three items of finding 8, replayed on one server's life, against real servers over
one data folder whose chat model waits on purpose (`SlowChatModel`, standing in for a remote LLM):

1. eight visitors chat at once: their turns must run side by side, not one after another (the
   probe's 10th user waited for nine turns under Gradio's default concurrency_limit of 1);
2. staff upload two documents on the Knowledge tab; the server is killed (kill -9) while three
   customers wait for answers; its vector store's SQLite file is then damaged (start-up must fail
   with one clear message, not a Rust panic), then lost together with one upload's kept copy;
3. the next start restores what it can from the kept copies, reports the rest on /healthz, and
   answers the three abandoned questions with an apology instead of dropping them silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from gradio_client import handle_file
from identity_servers import (
    REPO_ROOT,
    STAFF,
    bearer,
    gradio,
    page_cookie,
    slow_model,
    slow_model_server,
    slow_server,
    visitor_token,
)

from app.agent.desk import UNANSWERED_APOLOGY

GIFT = "# Gift cards\n\nKestrel gift cards never expire and can be spent on any order."
PET = "# Pet cover\n\nThe excess for every Kestrel Pet Cover claim is 75 euros."


def test_chat_turns_run_side_by_side(tmp_path_factory) -> None:
    model, server = slow_model(tmp_path_factory), slow_model_server(tmp_path_factory)
    url = server.url
    model.delay_s, model.peak = 1.0, 0
    try:
        visitors = [gradio(url, page_cookie(url)) for _ in range(8)]
        for number, visitor in enumerate(visitors):
            visitor.predict(
                {"text": f"How much is the Plus plan? ({number})", "files": []}, [], api_name="/submit"
            )
        jobs = [visitor.submit([], api_name="/stream") for visitor in visitors]
        answers = [str(job.result(timeout=120)) for job in jobs]
    finally:
        model.delay_s = 0
    assert all("From our help centre" in answer for answer in answers)
    assert model.peak >= 4, f"at most {model.peak} chat turn(s) ran at once"


def test_a_killed_damaged_and_lost_store_restores_what_it_can_and_drops_no_question(tmp_path_factory) -> None:
    model, first = slow_model(tmp_path_factory), slow_model_server(tmp_path_factory)
    root = first.log.parent
    (root / "files").mkdir()
    try:
        upload(first.url, root / "files", "gift-cards.md", GIFT)
        upload(first.url, root / "files", "pet-cover.md", PET)
        assert cited(first.url, "Do Kestrel gift cards expire?") == ["gift-cards"]
        assert httpx.get(f"{first.url}/healthz", timeout=30).json()["status"] == "ok"
        waiting = questions_left_waiting(first.url, model)
    finally:
        first.stop(signal.SIGKILL)
    kept = sorted((root / "data" / "uploads").rglob("*.md"))
    assert sorted(path.name for path in kept) == ["gift-cards.md", "pet-cover.md"]  # under the data folder
    store = root / "data" / "chroma" / "chroma.sqlite3"

    damage(store)
    failed = serve_once(slow_server(root, model, "damaged").env)
    shown = failed.stdout + failed.stderr
    assert failed.returncode == 2, shown[-3000:]
    assert f"The vector store in {store.parent} is damaged" in shown and f"mv {store.parent}" in shown
    assert "panicked" not in shown and "Traceback" not in shown and "PanicException" not in shown

    store.unlink()  # the probe's case: the vector store's SQLite file is lost ...
    shutil.rmtree(next(path for path in kept if path.name == "pet-cover.md").parent)  # ... and one kept copy
    second = slow_server(root, model, "second", SUPPORT_CHAT_TIMEOUT_S="1").start(timeout_s=300)
    try:
        health = httpx.get(f"{second.url}/healthz", timeout=30)
        body = health.json()
        assert health.status_code == 200 and body["status"] == "degraded", body
        assert body["components"]["vector_store"]["lost_documents"] == ["pet-cover"]
        assert cited(second.url, "Do Kestrel gift cards expire?") == ["gift-cards"]  # a restored upload
        assert cited(second.url, "How much is the Plus plan?") == ["billing/plans"]  # the demo folder
        for token, conversation in waiting:
            stored = messages_once_answered(second.url, token, conversation)
            assert [m["role"] for m in stored] == ["user", "assistant"], stored
            assert stored[-1]["content"] == UNANSWERED_APOLOGY
    finally:
        second.stop()


def upload(url: str, folder: Path, name: str, text: str) -> None:
    """A member of staff signs in and adds one file on the Knowledge tab, as the browser does."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    staff = gradio(url, page_cookie(url))
    assert staff.predict(STAFF[0], STAFF[1], "any", "any", api_name="/sign_in")[0].startswith("Signed in")
    report = staff.predict([handle_file(str(path))], api_name="/add")[0]
    assert report.startswith("✅ added 1"), report


def cited(url: str, question: str) -> list[str]:
    """The documents a new visitor's answer cites."""
    headers = bearer(visitor_token(url))
    conversation = httpx.post(f"{url}/api/conversations", headers=headers, timeout=60).json()[
        "conversation_id"
    ]
    reply = httpx.post(
        f"{url}/api/conversations/{conversation}/messages",
        headers=headers,
        json={"text": question},
        timeout=120,
    )
    assert reply.status_code == 200, reply.text
    return [citation["doc_id"] for citation in reply.json()["citations"]]


def questions_left_waiting(url: str, model) -> list[tuple[str, str]]:
    """Three visitors ask while the model hangs; returns once all three turns wait on it."""
    model.delay_s = 600
    waiting = []
    for _ in range(3):
        token = visitor_token(url)
        started = httpx.post(f"{url}/api/conversations", headers=bearer(token), timeout=60)
        waiting.append((token, started.json()["conversation_id"]))
    received = model.received
    for token, conversation in waiting:
        threading.Thread(target=_ask_quietly, args=(url, token, conversation), daemon=True).start()
    deadline = time.monotonic() + 60
    while model.received < received + len(waiting):
        assert time.monotonic() < deadline, "the questions never reached the model"
        time.sleep(0.2)
    model.delay_s = 0  # requests already waiting keep waiting; the process dies before they end
    return waiting


def _ask_quietly(url: str, token: str, conversation: str) -> None:
    """A customer's question that this process will never answer (it gets killed)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(
            f"{url}/api/conversations/{conversation}/messages",
            headers=bearer(token),
            json={"text": "Is my refund on its way?"},
            timeout=120,
        )


def messages_once_answered(url: str, token: str, conversation: str) -> list[dict]:
    """The stored messages once something answered the last one (or whatever is there after 45 s)."""
    deadline = time.monotonic() + 45
    while True:
        stored = httpx.get(
            f"{url}/api/conversations/{conversation}/messages", headers=bearer(token), timeout=60
        )
        messages = stored.json()["messages"]
        if (messages and messages[-1]["role"] == "assistant") or time.monotonic() > deadline:
            return messages
        time.sleep(1)


def damage(database: Path) -> None:
    """Overwrite part of the SQLite file: Chroma's Rust core panics on it."""
    data = bytearray(database.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 30_000] = bytes((i * 7919) % 251 for i in range(30_000))
    database.write_bytes(bytes(data))


def serve_once(env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m app serve` on a damaged store: it must exit by itself, with status 2."""
    return subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        env={**os.environ, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
