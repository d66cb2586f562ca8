"""Alembic environment: the app's metadata, and the app's settings for the URL.

Programmatic runs (`Database.migrate`) hand in an open connection through
`config.attributes["connection"]`; command-line runs build an engine from `load_settings()`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from app.store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC type as its storage type, so revisions never import app code that may change."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the knowledge manifest's tables (`kb_*`, app/knowledge/manifest.py) alone: the
    knowledge base creates them in a shared database itself; autogenerate must not drop them."""
    return not (type_ == "table" and name is not None and name.startswith("kb_"))


def run_with_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    from app.settings import load_settings

    context.configure(
        url=load_settings().resolved_database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with_connection(connection)
        return
    from app.settings import load_settings
    from app.store.db import Database

    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    database = Database.from_settings(load_settings())
    try:
        with database.engine.begin() as connection:
            run_with_connection(connection)
    finally:
        database.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
