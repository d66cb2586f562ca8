"""`python -m app chat` with lines piped on stdin, on a fresh data folder (first-use ingest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.protocol import DECLINE_PHRASE

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_piped_chat_ingests_on_first_use_streams_and_handles_commands(tmp_path, kb_settings) -> None:
    script = "How much is the Plus plan?\n/new\nWhat is the capital of Mongolia?\n\n/quit\nnever read\n"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SUPPORT_DATA_DIR": str(tmp_path / "fresh"),
        "SUPPORT_KNOWLEDGE_DIR": str(kb_settings.knowledge_dir),
        "SUPPORT_LOG_LEVEL": "WARNING",
    }

    done = subprocess.run(
        [sys.executable, "-m", "app", "chat"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "Preparing the knowledge base" in out
    assert "[searching the help centre...]" in out
    assert "$12" in out and "  [1] Club plans (" in out
    assert "(new conversation)" in out
    assert DECLINE_PHRASE in out
    assert "never read" not in out
    assert out.index("$12") < out.index("(new conversation)") < out.index(DECLINE_PHRASE)
