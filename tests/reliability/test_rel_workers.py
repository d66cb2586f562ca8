"""`SUPPORT_WORKERS=2`: one `python -m app serve`, two uvicorn worker processes sharing SQLite.

Real server on loopback: concurrent customers' turns land on both workers, and every message and
answer is stored once, in order (the database is shared safely, not per process).
"""

from __future__ import annotations

import asyncio

import httpx
import psutil
import pytest
from corpus import write_corpus
from servers import app_server, running

pytestmark = [pytest.mark.slow, pytest.mark.anyio, pytest.mark.timeout(900)]

API_KEY = "workers-integration-key-0123456789"
QUESTIONS = ("How much is the Plus plan?", "How long does a refund take?", "Thanks!")


async def converse(client: httpx.AsyncClient, url: str, index: int) -> tuple[str, list[str]]:
    headers = {"X-API-Key": API_KEY, "X-Customer-Id": f"workers-{index}"}
    started = await client.post(f"{url}/api/conversations", headers=headers)
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation_id"]
    sent = []
    for question in QUESTIONS:
        text = f"{question} (customer {index})"
        answer = await client.post(
            f"{url}/api/conversations/{conversation}/messages", json={"text": text}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        sent.append(text)
    history = await client.get(f"{url}/api/conversations/{conversation}/messages", headers=headers)
    stored = history.json()["messages"]
    assert [m["content"] for m in stored if m["role"] == "user"] == sent
    assert [m["role"] for m in stored] == ["user", "assistant"] * len(sent)
    return conversation, sent


async def test_two_workers_share_the_database_and_lose_nothing(tmp_path):
    env = {
        "SUPPORT_ENVIRONMENT": "test",
        "SUPPORT_DATA_DIR": str(tmp_path / "data"),
        "SUPPORT_KNOWLEDGE_DIR": str(write_corpus(tmp_path / "kb")),
        "SUPPORT_LOG_LEVEL": "WARNING",
        "SUPPORT_API_KEY": API_KEY,
        "SUPPORT_WORKERS": "2",
    }
    with running(app_server(env, tmp_path, "workers"), timeout_s=600) as (server,):
        workers = psutil.Process(server.process.pid).children(recursive=True)
        assert len([w for w in workers if "spawn_main" in " ".join(w.cmdline())]) == 2, [
            w.cmdline() for w in workers
        ]
        async with httpx.AsyncClient(timeout=300) as client:
            results = await asyncio.gather(*(converse(client, server.url, i) for i in range(8)))
    assert len({conversation for conversation, _ in results}) == 8
