"""`Store`: one object that gives the rest of the app every repository over one database."""

from __future__ import annotations

from app.settings import Settings
from app.store.attachments import AttachmentRepository
from app.store.conversations import ConversationRepository, CustomerRepository, MessageRepository
from app.store.db import Database
from app.store.feedback import FeedbackRepository
from app.store.memories import MemoryRepository
from app.store.ratelimits import RateLimitRepository
from app.store.tickets import TicketRepository


class Store:
    """The repositories, sharing one `Database`. Methods return frozen records, never ORM rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.customers = CustomerRepository(db)
        self.conversations = ConversationRepository(db)
        self.messages = MessageRepository(db)
        self.memories = MemoryRepository(db)
        self.attachments = AttachmentRepository(db)
        self.tickets = TicketRepository(db)
        self.feedback = FeedbackRepository(db)
        self.rate_limits = RateLimitRepository(db)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Store:
        """The application's store, with the schema brought up to date unless told otherwise."""
        db = Database.from_settings(settings)
        if migrate:
            db.migrate()
        return cls(db)

    def ping(self) -> bool:
        return self.db.ping()

    def close(self) -> None:
        self.db.dispose()
