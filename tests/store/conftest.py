"""Store fixtures: each test gets a fresh, migrated database on every backend that is enabled.

SQLite always runs (a real file in tmp_path). PostgreSQL runs when SUPPORT_TEST_POSTGRES=1: against
SUPPORT_TEST_POSTGRES_URL when given (a server URL; each test creates and drops its own database),
otherwise against a throwaway server started from the local binaries (see pg_server.py, or
scripts/postgres-test.sh). Without the variable the PostgreSQL cases skip with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pg_server import PostgresUnavailable, start_postgres, temporary_database

from app.store import Database, Store

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@dataclass(frozen=True)
class PostgresRequest:
    enabled: bool
    url: str | None


@pytest.fixture(scope="session")
def postgres_request() -> PostgresRequest:
    """Read once, before the autouse fixture clears SUPPORT_* variables for each test."""
    return PostgresRequest(
        enabled=os.environ.get("SUPPORT_TEST_POSTGRES") == "1",
        url=os.environ.get("SUPPORT_TEST_POSTGRES_URL") or None,
    )


@pytest.fixture(scope="session")
def postgres_server_url(postgres_request: PostgresRequest) -> Iterator[str]:
    if not postgres_request.enabled:
        pytest.skip("PostgreSQL tests need SUPPORT_TEST_POSTGRES=1 (see scripts/postgres-test.sh)")
    if postgres_request.url:
        yield postgres_request.url
        return
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"SUPPORT_TEST_POSTGRES=1 but no server could be started: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_request: PostgresRequest
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'support.db'}"
        return
    with temporary_database(request.getfixturevalue("postgres_server_url")) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db)


@pytest.fixture
def conversation(store: Store):
    """A customer with one empty conversation."""
    customer = store.customers.get_or_create("cust-1", "Ada")
    return store.conversations.create(customer.id, title="Billing question")
