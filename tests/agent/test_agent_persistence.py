"""Conversations, memory and tickets survive a restart: a second process picks up where we left off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.protocol import REMEMBER_TOOL

pytestmark = pytest.mark.anyio

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_memory_history_and_ticket_survive_a_restart(desk, settings, kb_settings) -> None:
    conversation = desk.start_conversation("c-restart")
    told = await desk.reply(conversation, "I'm on the Premium plan.")
    escalated = await desk.reply(conversation, "I want to talk to a human, please.")
    desk.store.tickets.reply(escalated.ticket.id, "staff-ana", "Ana here, looking into it now.")
    desk.close()

    worker = REPO_ROOT / "tests" / "agent" / "resume_worker.py"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            str(worker),
            str(settings.data_dir),
            str(kb_settings.data_dir),
            conversation,
            "c-restart",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert REMEMBER_TOOL in [call.name for call in told.tool_calls]
    assert "Premium" in report["answer"]
    assert report["ticket"] == escalated.ticket.number
    roles = [role for role, _text in report["old_history"]]
    assert roles == ["user", "assistant", "user", "assistant", "human_agent"]
    assert report["old_history"][-1][1] == "Ana here, looking into it now."


async def test_a_second_desk_continues_the_conversation_with_its_history(desk, settings, kb) -> None:
    from app.agent.desk import SupportDesk

    conversation = desk.start_conversation("c-two-desks")
    await desk.reply(conversation, "How much is the Plus plan?")
    desk.close()
    again = SupportDesk.from_settings(settings, kb=kb)

    result = await again.reply(conversation, "And how much is the Premium plan?")

    assert "$20" in result.text
    assert [m.role for m in again.history(conversation)] == ["user", "assistant"] * 2
    state = again.store.conversations.get(conversation).session_state
    assert state["session_id"] == conversation
    again.close()
