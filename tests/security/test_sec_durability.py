"""Finding 7 and the damaged-store item of finding 8: the knowledge base survives a lost or damaged
vector store, and says so when it cannot.

Replayed against real servers over one data folder: staff upload two documents through the
Gradio endpoints; the server stops; the vector store's SQLite file is damaged (start-up must
fail with one clear message, not a Rust panic), then lost, together with the kept copy of one
upload; the next start must restore everything it still can and report the rest on /healthz.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gradio_client import handle_file
from identity_servers import REPO_ROOT, STAFF, app_server, bearer, gradio, page_cookie, visitor_token

GIFT = "# Gift cards\n\nKestrel gift cards never expire and can be spent on any order."
PET = "# Pet cover\n\nThe excess for every Kestrel Pet Cover claim is 75 euros."


def upload(url: str, folder: Path, name: str, text: str) -> None:
    """A member of staff signs in and adds one file on the Knowledge tab, as the browser does."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    staff = gradio(url, page_cookie(url))
    assert staff.predict(STAFF[0], STAFF[1], "any", "any", api_name="/sign_in")[0].startswith("Signed in")
    report = staff.predict([handle_file(str(path))], api_name="/add")[0]
    assert report.startswith("✅ added 1"), report


def ask(url: str, question: str) -> dict:
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
    return reply.json()


def damage(database: Path) -> None:
    """Overwrite the middle of the SQLite file: Chroma's Rust core panics on it."""
    data = bytearray(database.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 30_000] = bytes((i * 7919) % 251 for i in range(30_000))
    database.write_bytes(bytes(data))


def serve_once(root: Path) -> subprocess.CompletedProcess:
    """`python -m app serve` on a damaged store: it must exit by itself."""
    env = app_server(root, "damaged").env
    return subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "files").mkdir()
    return tmp_path


def test_staff_uploads_survive_a_lost_store_and_what_cannot_be_restored_is_reported(root: Path) -> None:
    first = app_server(root, "first").start(timeout_s=240)
    try:
        upload(first.url, root / "files", "gift-cards.md", GIFT)
        upload(first.url, root / "files", "pet-cover.md", PET)
        assert [c["doc_id"] for c in ask(first.url, "Do Kestrel gift cards expire?")["citations"]] == [
            "gift-cards"
        ]
        assert httpx.get(f"{first.url}/healthz", timeout=30).json()["status"] == "ok"
    finally:
        first.stop()
    kept = sorted((root / "data" / "uploads").rglob("*.md"))
    assert [path.name for path in kept] == ["gift-cards.md", "pet-cover.md"]  # kept under the data folder
    store = root / "data" / "chroma" / "chroma.sqlite3"

    damage(store)
    failed = serve_once(root)
    shown = failed.stdout + failed.stderr
    assert failed.returncode == 2, shown[-3000:]
    assert f"The vector store in {store.parent} is damaged" in shown and f"mv {store.parent}" in shown
    assert "panicked" not in shown and "Traceback" not in shown and "PanicException" not in shown

    store.unlink()  # the probe's case: the vector store's SQLite file is lost ...
    shutil.rmtree(next(path for path in kept if path.name == "pet-cover.md").parent)  # ... and one kept copy
    second = app_server(root, "second").start(timeout_s=240)
    try:
        health = httpx.get(f"{second.url}/healthz", timeout=30)
        body = health.json()
        assert health.status_code == 200 and body["status"] == "degraded", body
        assert body["components"]["vector_store"]["lost_documents"] == ["pet-cover"]
        assert [c["doc_id"] for c in ask(second.url, "Do Kestrel gift cards expire?")["citations"]] == [
            "gift-cards"
        ]
        assert [c["doc_id"] for c in ask(second.url, "How much is the Plus plan?")["citations"]] == [
            "billing/plans"
        ]
    finally:
        second.stop()
