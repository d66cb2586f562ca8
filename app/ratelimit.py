"""A per-conversation limit on customer messages, counted in the database.

The count comes from the stored messages, not from memory, so the limit holds across every worker
process and server that shares the database: a client cannot dodge it by landing on another
worker. A refused message raises `RateLimitedError` (an `InputError`) before anything is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.errors import InputError

if TYPE_CHECKING:
    from app.store import Store

logger = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)


class RateLimitedError(InputError):
    """Too many messages in one conversation within a minute; the message was not stored."""

    def __init__(self, limit: int, retry_after_s: float) -> None:
        self.limit = limit
        self.retry_after_s = retry_after_s
        super().__init__(
            f"You are sending messages too quickly (at most {limit} a minute in one conversation). "
            f"Please wait {max(1, round(retry_after_s))} seconds and try again."
        )


class ConversationRateLimiter:
    """Allows at most `per_minute` customer messages per conversation in any sliding minute."""

    def __init__(
        self, store: Store, per_minute: int, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.per_minute = per_minute
        self.clock = clock

    def check(self, conversation_id: str) -> None:
        """Raise RateLimitedError when the conversation already had `per_minute` messages this minute."""
        now = self.clock()
        sent = [
            _aware(record.created_at)
            for record in self.store.messages.list(conversation_id)
            if record.role == "user" and record.created_at is not None
        ]
        recent = sorted(moment for moment in sent if moment > now - WINDOW)
        if len(recent) < self.per_minute:
            return
        oldest_counted = recent[-self.per_minute]
        retry_after = (oldest_counted + WINDOW - now).total_seconds()
        logger.warning(
            "message rate limited",
            extra={"conversation": conversation_id, "limit": self.per_minute, "recent": len(recent)},
        )
        raise RateLimitedError(self.per_minute, retry_after)


def _aware(moment: datetime) -> datetime:
    """Timestamps from the store are UTC; some backends hand them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
