"""Finding 6: rate limits hold under concurrency, per conversation, per client and per IP address.

The probe sent 60 concurrent messages to one conversation (all accepted: the check and the insert
were not atomic), created 1,000 conversations from one client, and had 200 clients send 799
messages. Each is replayed with raw HTTP against a real server with small limits; the counts are
checked in the server's real database. Clients behind a proxy are told apart by X-Forwarded-For,
which uvicorn trusts from 127.0.0.1, so each test acts from its own address.

The store-level test runs the same race on PostgreSQL too when SUPPORT_TEST_POSTGRES=1.
"""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from identity_servers import LIMITS, bearer, integration, limits_server, servers

pytestmark = pytest.mark.anyio

PER_CONVERSATION = int(LIMITS["SUPPORT_RATE_LIMIT_PER_MINUTE"])
PER_CLIENT_CONVERSATIONS = int(LIMITS["SUPPORT_CONVERSATIONS_PER_HOUR"])
PER_IP_CONVERSATIONS = int(LIMITS["SUPPORT_IP_CONVERSATIONS_PER_HOUR"])
PER_IP_MESSAGES = int(LIMITS["SUPPORT_IP_MESSAGES_PER_MINUTE"])
POSTGRES = os.environ.get("SUPPORT_TEST_POSTGRES") == "1"  # read before the autouse fixture clears it


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    return limits_server(tmp_path_factory)


def from_ip(address: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {"X-Forwarded-For": address, **(headers or {})}


async def new_token(client: httpx.AsyncClient, url: str, address: str) -> dict[str, str]:
    response = await client.post(f"{url}/api/session", headers=from_ip(address))
    assert response.status_code == 201, response.text
    return from_ip(address, bearer(response.json()["token"]))


async def test_sixty_concurrent_messages_to_one_conversation_accept_at_most_the_limit(server) -> None:
    url = server.url
    async with httpx.AsyncClient(timeout=180) as client:
        headers = await new_token(client, url, "10.0.0.1")
        started = await client.post(f"{url}/api/conversations", headers=headers)
        conversation = started.json()["conversation_id"]
        replies = await asyncio.gather(
            *(
                client.post(
                    f"{url}/api/conversations/{conversation}/messages",
                    headers=headers,
                    json={"text": f"How much is the Plus plan? ({number})"},
                )
                for number in range(60)
            )
        )
        statuses = [reply.status_code for reply in replies]
        assert statuses.count(200) == PER_CONVERSATION, statuses
        assert statuses.count(429) == 60 - PER_CONVERSATION, statuses
        refused = next(reply for reply in replies if reply.status_code == 429)
        assert f"at most {PER_CONVERSATION} a minute in one conversation" in refused.json()["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        stored = (
            await client.get(f"{url}/api/conversations/{conversation}/messages", headers=headers)
        ).json()
    assert [m["role"] for m in stored["messages"]].count("user") == PER_CONVERSATION


async def test_one_client_cannot_create_conversations_without_end(server) -> None:
    url = server.url
    async with httpx.AsyncClient(timeout=60) as client:
        headers = await new_token(client, url, "10.0.0.2")
        replies = await asyncio.gather(
            *(client.post(f"{url}/api/conversations", headers=headers) for _ in range(40))
        )
        statuses = [reply.status_code for reply in replies]
        assert statuses.count(201) == PER_CLIENT_CONVERSATIONS, statuses
        refused = next(reply for reply in replies if reply.status_code == 429)
        assert "too many conversations" in refused.json()["detail"]
        # a trusted integration's customers are limited one by one, not by the integration's address
        crm = await client.post(f"{url}/api/conversations", headers=integration("crm-7"))
        assert crm.status_code == 201


async def test_many_clients_from_one_address_are_capped_together(server) -> None:
    """The probe's 200 clients: fresh tokens do not buy fresh limits from the same address."""
    url = server.url
    address = "10.0.0.3"
    async with httpx.AsyncClient(timeout=180) as client:
        clients = [await new_token(client, url, address) for _ in range(PER_IP_CONVERSATIONS + 8)]
        started = await asyncio.gather(*(client.post(f"{url}/api/conversations", headers=h) for h in clients))
        opened = [
            (h, r.json()["conversation_id"])
            for h, r in zip(clients, started, strict=True)
            if r.status_code == 201
        ]
        assert len(opened) == PER_IP_CONVERSATIONS, [r.status_code for r in started]
        refused = next(r for r in started if r.status_code == 429)
        assert "from your network" in refused.json()["detail"]
        sends = [
            client.post(f"{url}/api/conversations/{c}/messages", headers=h, json={"text": f"Hello {n}"})
            for n in range(2)
            for h, c in opened
        ]
        statuses = [reply.status_code for reply in await asyncio.gather(*sends)]
    assert statuses.count(200) == PER_IP_MESSAGES, statuses
    assert statuses.count(429) == 2 * PER_IP_CONVERSATIONS - PER_IP_MESSAGES


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'limits.db'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL tests need SUPPORT_TEST_POSTGRES=1 (see scripts/postgres-test.sh)")
    pg = servers.pg_module()
    server = pg.start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


def test_the_limit_is_checked_and_recorded_atomically_in_the_database(database_url: str) -> None:
    """60 threads, each with its own connection, race for 5 places in one bucket."""
    from app.store import Database, Store
    from app.store.ratelimits import Bucket

    db = Database(database_url)
    db.migrate()
    store = Store(db)
    bucket = Bucket("msg:conv:race", 5, timedelta(minutes=1))
    now = datetime.now(UTC)
    results: list[object] = []
    gate = threading.Barrier(60)

    def take() -> None:
        gate.wait()
        results.append(store.rate_limits.take([bucket], now=now))

    threads = [threading.Thread(target=take) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 60
    assert sum(result is None for result in results) == 5
    refusal = next(result for result in results if result is not None)
    assert refusal.bucket == bucket and 59 <= refusal.retry_after_s <= 60
    assert store.rate_limits.take([bucket], now=now + timedelta(seconds=61)) is None  # the window slides
    db.dispose()
