"""Beyond one process: app workers sharing PostgreSQL, a Chroma server, an MLflow server and a data folder.

Everything is real and on loopback: `initdb`/`pg_ctl` (tests/store/pg_server.py), `chroma run`,
`mlflow server`, and two `python -m app serve` processes driven over HTTP. Runs only with
SUPPORT_TEST_SCALEOUT=1 (scripts/scale-out-test.sh); it takes a few minutes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from corpus import write_corpus
from servers import REPO_ROOT, app_server, chroma_server, mlflow_server, pg_module, running

pytestmark = [pytest.mark.scaleout, pytest.mark.anyio]

CUSTOMERS = 12
QUESTIONS = (
    "How much is the Plus plan?",
    "How do I reset my password?",
    "How long does a refund take?",
    "Thanks!",
)
# an account takeover: the routing table hands it over with high priority (the priority follows the
# problem; "this is urgent" alone no longer raises it)
HANDOFF = "Someone got into my account and placed orders I never made, connect me to a human agent"
API_KEY = "scale-out-integration-key-0123456789"


def integration(customer: str) -> dict[str, str]:
    """The JSON API's credentials for a trusted back-end speaking for one of its customers."""
    return {"X-API-Key": API_KEY, "X-Customer-Id": customer}


@dataclass
class Cluster:
    env: dict[str, str]
    workers: tuple[str, ...]  # base URLs
    mlflow_url: str
    database_url: str
    root: Path


def run_cli(args: list[str], env: dict[str, str], timeout_s: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("scaleout")
    pg = pg_module()
    postgres = pg.start_postgres()
    try:
        chroma = chroma_server(root / "chroma", root)
        tracking = mlflow_server(f"sqlite:///{root / 'mlflow.db'}", root / "artifacts", root)
        with running(chroma, tracking, timeout_s=180):
            env = {
                "SUPPORT_ENVIRONMENT": "test",
                "SUPPORT_DATA_DIR": str(root / "shared-data"),
                "SUPPORT_DATABASE_URL": postgres.url,
                "SUPPORT_CHROMA_HOST": chroma.address,
                "MLFLOW_TRACKING_URI": tracking.url,
                "SUPPORT_KNOWLEDGE_DIR": str(write_corpus(root / "kb")),
                "SUPPORT_LOG_LEVEL": "WARNING",
                "SUPPORT_RATE_LIMIT_PER_MINUTE": "60",
                "SUPPORT_API_KEY": API_KEY,  # the test speaks as a trusted integration for its customers
            }
            run_cli(["-m", "app", "migrate"], env)  # once, before any worker
            run_cli(["-m", "app.knowledge", "ingest", env["SUPPORT_KNOWLEDGE_DIR"]], env)
            workers = (app_server(env, root, "worker-a"), app_server(env, root, "worker-b"))
            with running(*workers, timeout_s=300):
                yield Cluster(env, tuple(w.url for w in workers), tracking.url, postgres.url, root)
    finally:
        postgres.stop()


async def converse(client: httpx.AsyncClient, workers: tuple[str, ...], index: int) -> tuple[str, list[str]]:
    """One customer: questions alternating between workers, then the hand-off asked of both at once."""
    client.headers.update(integration(f"so-{index}"))
    response = await client.post(f"{workers[index % 2]}/api/conversations", json={"customer": f"so-{index}"})
    assert response.status_code == 201, response.text
    conversation = response.json()["conversation_id"]
    sent = []
    for turn, question in enumerate(QUESTIONS):
        text = f"{question} (customer {index}, turn {turn})"
        url = f"{workers[(index + turn) % 2]}/api/conversations/{conversation}/messages"
        answer = await client.post(url, json={"text": text})
        assert answer.status_code == 200, answer.text
        sent.append(text)
    both = [f"{HANDOFF} (customer {index}, via {name})" for name in ("a", "b")]
    replies = await asyncio.gather(
        *(
            client.post(f"{worker}/api/conversations/{conversation}/messages", json={"text": text})
            for worker, text in zip(workers, both, strict=True)
        )
    )
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    return conversation, sent + both


async def test_concurrent_conversations_across_workers_lose_nothing_and_open_one_ticket_each(cluster):
    from app.settings import load_settings
    from app.store import Store

    async def customer(index: int) -> tuple[str, list[str]]:
        async with httpx.AsyncClient(timeout=300) as client:  # one client (and customer id) each
            return await converse(client, cluster.workers, index)

    results = await asyncio.gather(*(customer(i) for i in range(CUSTOMERS)))

    store = Store.from_settings(
        load_settings(database_url=cluster.database_url, environment="test"), migrate=False
    )
    try:
        for conversation, sent in results:
            stored = store.messages.list(conversation)
            users = Counter(m.content for m in stored if m.role == "user")
            assert users == Counter(sent), "every sent message stored exactly once"
            assert [m.role for m in stored].count("assistant") == len(sent)
            assert [m.id for m in stored] == sorted(m.id for m in stored)
            ticket = store.tickets.for_conversation(conversation)
            assert ticket is not None and ticket.priority in ("high", "urgent")
        conversations = {conversation for conversation, _ in results}
        tickets = [t for t in store.tickets.list() if t.conversation_id in conversations]
        assert len(tickets) == CUSTOMERS, "one ticket per conversation, even when asked of both workers"
    finally:
        store.close()


async def test_ingestion_in_one_process_is_searchable_in_every_worker(cluster, tmp_path):
    folder = tmp_path / "new-docs"
    folder.mkdir()
    (folder / "gift-cards.md").write_text(
        "# Gift cards\n\nGift cards never expire and can be spent on any order, including sale items.",
        encoding="utf-8",
    )
    run_cli(["-m", "app.knowledge", "ingest", str(folder), "--no-prune"], cluster.env)

    async with httpx.AsyncClient(timeout=120, headers=integration("so-gift")) as client:
        for worker in cluster.workers:
            started = await client.post(f"{worker}/api/conversations", json={"customer": "so-gift"})
            conversation = started.json()["conversation_id"]
            answer = await client.post(
                f"{worker}/api/conversations/{conversation}/messages", json={"text": "Do gift cards expire?"}
            )
            body = answer.json()
            assert answer.status_code == 200, body
            assert "never expire" in body["text"]
            assert [c["doc_id"] for c in body["citations"]] == ["gift-cards"]


def test_an_eval_run_is_logged_to_the_mlflow_server(cluster, tmp_path):
    from mlflow import MlflowClient

    fixtures = REPO_ROOT / "tests" / "fixtures" / "eval"
    env = {
        "MLFLOW_TRACKING_URI": cluster.mlflow_url,
        "SUPPORT_DATA_DIR": str(tmp_path / "eval-data"),
        "SUPPORT_CHROMA_HOST": "",
        "SUPPORT_DATABASE_URL": "",
        "SUPPORT_KNOWLEDGE_DIR": str(fixtures / "kb"),
    }
    run_cli(
        [
            "-m",
            "eval",
            "run",
            "--dataset",
            str(fixtures / "tiny.jsonl"),
            "--limit",
            "2",
            "--run-name",
            "scaleout-check",
            "--no-progress",
            "--output",
            str(tmp_path / "out"),
        ],
        env,
    )

    client = MlflowClient(tracking_uri=cluster.mlflow_url)
    experiments = client.search_experiments()
    runs = [
        run
        for e in experiments
        for run in client.search_runs([e.experiment_id])
        if run.info.run_name == "scaleout-check"
    ]
    assert len(runs) == 1 and runs[0].info.status == "FINISHED"
    assert runs[0].data.metrics, "the run logged its metrics to the server"
