"""Persistence: SQLAlchemy models, Alembic migrations, repositories, and attachment files.

This package is the only place with SQL. Everything else uses `Store(db)` and receives frozen
records (`app.store.records`).
"""

from app.store.db import Database
from app.store.facade import Store
from app.store.files import FileStore, StoredFile
from app.store.records import (
    AttachmentRecord,
    ConversationRecord,
    CustomerRecord,
    FeedbackRecord,
    MemoryRecord,
    MessageRecord,
    TicketRecord,
)

__all__ = [
    "AttachmentRecord",
    "ConversationRecord",
    "CustomerRecord",
    "Database",
    "FeedbackRecord",
    "FileStore",
    "MemoryRecord",
    "MessageRecord",
    "Store",
    "StoredFile",
    "TicketRecord",
]
