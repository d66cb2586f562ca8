"""Two hosts: app processes with separate data folders, sharing only PostgreSQL and a Chroma server.

Each "host" is a `python -m app serve` process with its own `SUPPORT_DATA_DIR` (its own BM25
index, embedding cache, attachment files), and `python -m app.knowledge` run in that host's
environment. The knowledge manifest lives in PostgreSQL (docs/scale-out.md), so a document one
host ingests is found by the other host within seconds, by BM25, dense and hybrid search, and by
the other host's running server; removing it on one host removes it on both.

All real and on loopback: `initdb`/`pg_ctl` (tests/store/pg_server.py), `chroma run`, the app.
Runs only with SUPPORT_TEST_SCALEOUT=1 (scripts/scale-out-test.sh).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from corpus import write_corpus
from servers import REPO_ROOT, app_server, chroma_server, pg_module, running

pytestmark = [pytest.mark.scaleout, pytest.mark.timeout(1200)]

API_KEY = "scale-out-hosts-integration-key-0123456789"
SECRET = "scale-out-hosts-session-secret-0123456789"
DOC_ID = "gift-cards"
QUESTION = "Do gift cards expire?"
VISIBLE_WITHIN_S = 10.0
MODES = ("bm25", "dense", "hybrid")
SEARCH = f"""
import json
from app.knowledge.base import KnowledgeBase
from app.settings import load_settings
kb = KnowledgeBase.from_settings(load_settings())
print(json.dumps({{m: [h.doc_id for h in kb.search({QUESTION!r}, k=3, mode=m)] for m in {MODES!r}}}))
"""


@dataclass
class Host:
    """One host: its environment (own data folder) and its running server's URL."""

    name: str
    env: dict[str, str]
    url: str = ""

    def cli(self, *args: str, timeout_s: float = 600) -> str:
        """`python -m app.knowledge ...` on this host (its data folder, the shared database and Chroma)."""
        return self.python("-m", "app.knowledge", *args, timeout_s=timeout_s)

    def python(self, *args: str, timeout_s: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        assert result.returncode == 0, f"{self.name} {args}: {result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        return result.stdout

    def search(self) -> dict[str, list[str]]:
        """Document ids of the hits for QUESTION by mode, best first: this host's own knowledge base
        (as `python -m app.knowledge search` builds it), in one process for the three modes."""
        return json.loads(self.python("-c", SEARCH).strip().splitlines()[-1])

    def cited(self) -> list[str]:
        """What this host's running server cites when a customer asks QUESTION."""
        headers = {"X-API-Key": API_KEY, "X-Customer-Id": f"hosts-{self.name}"}
        with httpx.Client(base_url=self.url, timeout=120, headers=headers) as client:
            started = client.post("/api/conversations")
            assert started.status_code == 201, started.text
            conversation = started.json()["conversation_id"]
            answer = client.post(f"/api/conversations/{conversation}/messages", json={"text": QUESTION})
            assert answer.status_code == 200, answer.text
            return [citation["doc_id"] for citation in answer.json()["citations"]]


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("scaleout-hosts")
    postgres = pg_module().start_postgres()
    try:
        chroma = chroma_server(root / "chroma", root)
        with running(chroma, timeout_s=180):
            shared = {
                "SUPPORT_ENVIRONMENT": "test",
                "SUPPORT_DATABASE_URL": postgres.url,
                "SUPPORT_CHROMA_HOST": chroma.address,
                "SUPPORT_KNOWLEDGE_DIR": str(write_corpus(root / "kb")),
                "SUPPORT_LOG_LEVEL": "WARNING",
                "SUPPORT_API_KEY": API_KEY,
                "SUPPORT_SESSION_SECRET": SECRET,  # no shared data folder to keep a random one in
            }
            a = Host("a", {**shared, "SUPPORT_DATA_DIR": str(root / "host-a")})
            b = Host("b", {**shared, "SUPPORT_DATA_DIR": str(root / "host-b")})
            subprocess.run(
                [sys.executable, "-m", "app", "migrate"],
                cwd=REPO_ROOT,
                env={**os.environ, **a.env},
                check=True,
                capture_output=True,
                timeout=300,
            )
            a.cli("ingest", shared["SUPPORT_KNOWLEDGE_DIR"])  # the first ingestion, once, on host a
            servers = (app_server(a.env, root, "host-a"), app_server(b.env, root, "host-b"))
            with running(*servers, timeout_s=300):
                a.url, b.url = servers[0].url, servers[1].url
                yield a, b
    finally:
        postgres.stop()


def until(check, *, within_s: float = VISIBLE_WITHIN_S):
    """Poll `check()` until it returns something true; returns it with the seconds it took."""
    started = time.monotonic()
    while True:
        value = check()
        if value or time.monotonic() - started > within_s:
            return value, time.monotonic() - started
        time.sleep(0.5)


def test_a_document_ingested_on_one_host_is_found_on_the_other_and_removed_from_both(hosts, tmp_path):
    a, b = hosts
    assert all(DOC_ID not in hits for hits in b.search().values())  # not there yet: the checks can fail
    folder = tmp_path / "new-docs"
    folder.mkdir()
    (folder / f"{DOC_ID}.md").write_text(
        "# Gift cards\n\nGift cards never expire and can be spent on any order, including sale items.",
        encoding="utf-8",
    )
    a.cli("ingest", str(folder), "--no-prune")

    cited, seconds = until(lambda: DOC_ID in b.cited())
    assert cited, f"host b's server did not cite {DOC_ID} within {VISIBLE_WITHIN_S}s"
    assert {mode: hits[:1] for mode, hits in b.search().items()} == {mode: [DOC_ID] for mode in MODES}
    assert DOC_ID in a.cited()
    index = next((Path(b.env["SUPPORT_DATA_DIR"]) / "knowledge").glob("*.bm25/version.json"))
    stamp = json.loads(index.read_text())
    assert stamp["size"] >= 4, "host b rebuilt its own BM25 index from the shared chunks"

    a.cli("remove", DOC_ID)
    gone, _ = until(lambda: DOC_ID not in b.cited())
    assert gone, "host b's server still cites a document removed on host a"
    for host in (a, b):
        assert all(DOC_ID not in hits for hits in host.search().values()), host.name
    assert seconds < VISIBLE_WITHIN_S
