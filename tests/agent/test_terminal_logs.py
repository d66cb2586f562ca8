"""`python -m app chat` on a real terminal (a pseudo-terminal): logs go to a file, never into the chat."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _read_until_exit(master: int, process: subprocess.Popen, timeout_s: float) -> str:
    """Everything the terminal showed until the process ended."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed: the process is gone
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_the_chat_shows_no_log_lines(tmp_path, kb_settings) -> None:
    master, slave = pty.openpty()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SUPPORT_DATA_DIR": str(tmp_path / "data"),
        "SUPPORT_KNOWLEDGE_DIR": str(kb_settings.knowledge_dir),
        "SUPPORT_LOG_LEVEL": "INFO",
        "SUPPORT_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "chat"],
        stdin=slave,
        stdout=slave,
        stderr=slave,  # as on a terminal: stderr and stdout on the same screen
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    os.write(master, b"How do I reset my password?\n/quit\n")
    try:
        screen = _read_until_exit(master, process, timeout_s=240)
        assert process.wait(timeout=30) == 0, screen[-2000:]
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()

    assert "Settings" in screen and "[1]" in screen  # the answer and its sources
    assert '"level"' not in screen and '"logger"' not in screen  # no JSON log line in the chat
    log = tmp_path / "data" / "logs" / "chat.log"
    assert f"(logs go to {log})" in screen
    assert "turn answered" in log.read_text()
