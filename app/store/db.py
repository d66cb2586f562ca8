"""The database connection: one engine per process, short transactions, Alembic migrations.

SQLite is the default and is tuned for a web server with several threads: WAL journal (readers
never block the writer), foreign keys on, and a busy timeout so a second writer waits instead of
failing. Write transactions start with `BEGIN IMMEDIATE`, which takes the write lock up front:
a deferred transaction that reads and then writes can otherwise fail at once with "database is
locked" when another writer got in between, whatever the timeout. Any other SQLAlchemy URL
works too; PostgreSQL through psycopg 3 (`postgresql+psycopg://user:pass@host/db`) is tested.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StoreUnavailableError
from app.settings import Settings, mask_url

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
_WRITE_OPTION = "support_write"
_UNAVAILABLE_HINTS = (
    "could not connect",
    "connection refused",
    "server closed the connection",
    "unable to open database",
    "database is locked",
)


class Database:
    """An engine plus the two kinds of transaction the repositories need (read and write)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = _create_engine(url, echo=echo)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The application database; creates the data directory the default SQLite file lives in."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings.resolved_database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        factory = self._write if write else self._read
        try:
            with factory.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            if _is_connection_problem(exc):
                raise StoreUnavailableError(
                    f"The database at {mask_url(self.url)} is unavailable or busy; try again shortly."
                ) from exc
            raise

    def migrate(self) -> str | None:
        """Bring the schema to the newest revision (Alembic `upgrade head`); returns that revision."""
        from app.store.migrations import upgrade_head  # Alembic is only needed here

        with self.engine.execution_options(**{_WRITE_OPTION: True}).begin() as connection:
            revision = upgrade_head(connection)
        logger.info("database migrated", extra={"database": mask_url(self.url), "revision": revision})
        return revision

    def current_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration)."""
        from app.store.migrations import current_revision

        with self.engine.connect() as connection:
            return current_revision(connection)

    def ping(self) -> bool:
        """True when a trivial query succeeds; for health checks, never raises."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            logger.warning("database ping failed", extra={"database": mask_url(self.url), "error": str(exc)})
            return False
        return True

    def dispose(self) -> None:
        """Close pooled connections (at shutdown, or before a forked worker uses the engine)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({mask_url(self.url)!r})"


def _create_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection pragmas; also hands transaction control from sqlite3 to SQLAlchemy."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync at checkpoints only
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_connection_problem(exc: SQLAlchemyError) -> bool:
    """Failures a person can only wait out or fix outside the app (server down, file locked)."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    message = str(exc).lower()
    return exc.connection_invalidated or any(hint in message for hint in _UNAVAILABLE_HINTS)
