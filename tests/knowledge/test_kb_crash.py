"""A process killed in the middle of an ingestion leaves an index the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Ingests in groups of 4 chunks and freezes right after the third group reached Chroma, before
# the manifest records it: the worst moment to die.
WORKER = textwrap.dedent(
    """
    import sys, time
    import app.knowledge.base as base
    from app.knowledge import KnowledgeBase
    from app.settings import load_settings

    base.GROUP_CHUNKS = 4
    kb = KnowledgeBase.from_settings(load_settings(data_dir=sys.argv[1], environment="test"))
    original, calls = kb.store.upsert, []

    def upsert(chunks, vectors):
        original(chunks, vectors)
        calls.append(len(chunks))
        if len(calls) == 3:
            print("FROZEN", flush=True)
            time.sleep(600)

    kb.store.upsert = upsert
    kb.ingest_path(sys.argv[2])
    print("FINISHED", flush=True)
    """
)


def _wait_for(process: subprocess.Popen, word: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if word in line:
            return
        if not line and process.poll() is not None:
            pytest.fail(
                f"worker exited with {process.returncode} before {word}: {process.stderr.read()[-2000:]}"
            )
    pytest.fail(f"worker never printed {word}")


@pytest.mark.slow
def test_sigkill_mid_ingestion_then_rerun_completes(tmp_path: Path, settings, make_kb) -> None:
    import chromadb

    folder = tmp_path / "kb"
    folder.mkdir()
    for i in range(12):
        (folder / f"page{i:02}.md").write_text(
            f"# Page {i}\n\nFacts about topic number {i}: lemurs eat fruit."
        )
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(settings.data_dir), str(folder)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        _wait_for(process, "FROZEN", timeout=180)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    kb = make_kb()
    raw = chromadb.PersistentClient(path=str(settings.chroma_path)).get_collection(kb.name)
    assert raw.count() == 12  # the third group's vectors reached Chroma, uncommitted

    documents = kb.list_documents()  # opening the knowledge base reconciles
    assert len(documents) == 8
    assert kb.stats()["vectors"] == kb.stats()["chunks"] == 8

    summary = kb.ingest_path(folder)
    assert (summary.added, summary.skipped, summary.updated) == (4, 8, 0)
    assert kb.stats()["vectors"] == kb.stats()["chunks"] == 12
    assert kb.search("topic number 11 lemurs", k=1, mode="bm25")[0].doc_id == "page11"
