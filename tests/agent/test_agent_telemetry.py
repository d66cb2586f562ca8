"""Telemetry: off by default; with an OTLP endpoint, agent runs, model calls and tools become spans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fixtures.chat_completions_server import ChatCompletionsServer

from app.agent.telemetry import configure_telemetry

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_telemetry_is_off_without_an_endpoint(settings) -> None:
    assert configure_telemetry(settings) is False


def test_spans_for_agent_model_and_tool(settings, kb, kb_settings) -> None:
    worker = REPO_ROOT / "tests" / "agent" / "telemetry_worker.py"
    with ChatCompletionsServer() as server:
        done = subprocess.run(
            [sys.executable, str(worker), str(settings.data_dir), str(kb_settings.data_dir), server.base_url],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "OPENAI_API_KEY": "sk-test-telemetry-key"},
        )

    assert done.returncode == 0, done.stderr[-2000:]
    names = json.loads(done.stdout.strip().splitlines()[-1])
    assert any(name.startswith("invoke_agent") for name in names), names
    assert any(name.startswith("chat") for name in names), names
    assert "execute_tool search_knowledge_base" in names, names
