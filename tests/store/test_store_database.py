"""The database itself: migrations, SQLite tuning, durability across processes, foreign keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.errors import NotFoundError
from app.store import Database, Store
from app.store.migrations import MIGRATIONS_DIR, alembic_config
from app.store.models import Base, Message

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLES = {"customers", "conversations", "messages", "customer_memories", "attachments", "tickets", "feedback"}


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrate_creates_every_table_at_head(db: Database) -> None:
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    assert db.current_revision() == head_revision()
    assert db.ping()


def test_migrating_twice_is_a_no_op(store: Store) -> None:
    customer = store.customers.get_or_create("kept")
    assert store.db.migrate() == head_revision()
    assert store.customers.get(customer.id).external_id == "kept"
    assert store.db.current_revision() == head_revision()


def test_migrations_produce_exactly_the_models(db: Database) -> None:
    """One source of truth: autogenerate finds nothing left to do after the packaged revisions."""
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.dispose()


def test_from_settings_creates_the_data_dir(settings) -> None:
    assert not settings.data_dir.exists()
    db = Database.from_settings(settings)
    db.migrate()
    assert (settings.data_dir / "support.db").is_file()
    db.dispose()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.db.session(write=True) as session:
        session.add(Message(conversation_id="0" * 32, role="user", content="orphan"))
    with pytest.raises(NotFoundError, match="conversation"):
        store.messages.add("0" * 32, "user", "orphan")
    with store.db.session() as session:
        assert session.execute(text("SELECT COUNT(*) FROM messages")).scalar() == 0


def test_ping_is_false_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "a-directory.db").mkdir()
    db = Database(f"sqlite:///{tmp_path / 'a-directory.db'}")
    assert db.ping() is False


WRITER = """
import json, sys
from app.store import Database, Store
store = Store(Database(sys.argv[1])); store.db.migrate()
customer = store.customers.get_or_create("c-restart", "Rae")
conversation = store.conversations.create(customer.id, "before restart")
store.messages.add(conversation.id, "user", "first", citations=[{"number": 1, "doc_id": "billing/plans"}])
store.messages.add(conversation.id, "assistant", "second", latency_ms=12.5)
store.memories.upsert(customer.id, "plan", "Plus")
ticket, _ = store.tickets.open(conversation.id, reason="asked for a human", priority="high", summary="s")
print(json.dumps({"conversation": conversation.id, "ticket": ticket.number}))
"""

READER = """
import json, sys
from app.store import Database, Store
store = Store(Database(sys.argv[1]))
conversation = store.conversations.get(sys.argv[2])
messages = store.messages.list(conversation.id)
ticket = store.tickets.for_conversation(conversation.id)
print(json.dumps({
    "title": conversation.title,
    "messages": [[m.role, m.content, m.citations, m.latency_ms] for m in messages],
    "memories": {m.key: m.value for m in store.memories.list(conversation.customer_id)},
    "ticket": [ticket.number, ticket.priority, ticket.status],
}))
"""


def run_python(code: str, *args: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORT_")}
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_data_survives_a_process_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    written = run_python(WRITER, url)
    read = run_python(READER, url, written["conversation"])
    assert read == {
        "title": "before restart",
        "messages": [
            ["user", "first", [{"number": 1, "doc_id": "billing/plans"}], None],
            ["assistant", "second", [], 12.5],
        ],
        "memories": {"plan": "Plus"},
        "ticket": [written["ticket"], "high", "open"],
    }


def test_migrate_command_creates_the_database(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORT_")}
    env["SUPPORT_DATA_DIR"] = str(tmp_path / "cli-data")
    result = subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"revision {head_revision()}" in result.stdout
    assert (tmp_path / "cli-data" / "support.db").is_file()


def test_revisions_are_packaged_with_the_app() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
