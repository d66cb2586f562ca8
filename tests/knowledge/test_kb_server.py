"""Server mode: the same knowledge base against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.errors import StoreUnavailableError

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """host:port of a fresh Chroma server, stopped after the module."""
    if not CHROMA.exists():
        pytest.skip("the chroma server binary is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("w")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not _alive(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: str, make_kb, corpus_dir: Path, settings
) -> None:
    kb = make_kb(chroma_host=chroma_server)
    summary = kb.ingest_path(corpus_dir)
    assert summary.added == 5
    assert kb.ping()
    stats = kb.stats()
    assert stats["store"] == f"http://{chroma_server}" and stats["vectors"] == stats["chunks"]
    assert not settings.chroma_path.exists()  # nothing went to the embedded store
    for mode in ("dense", "hybrid"):
        assert kb.search("reset my password", k=1, mode=mode)[0].doc_id == "account/password"
    (corpus_dir / "billing" / "plans.md").unlink()
    assert kb.ingest_path(corpus_dir).removed == 1
    assert kb.stats()["vectors"] == kb.stats()["chunks"]


def test_an_unreachable_server_is_a_clear_error(make_kb) -> None:
    kb = make_kb(chroma_host=f"127.0.0.1:{_free_port()}")
    assert kb.ping() is False
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        kb.stats()
