"""Limits on what one conversation, one client and one IP address may do, counted in the database.

Counts live in the database (`Store.rate_limits`), checked and recorded in one locked transaction,
so a limit holds across threads, worker processes and servers sharing the database, and a burst of
concurrent requests cannot all read the same count before any of them is recorded. A customer
message is counted against its conversation, its client (a visitor token or an integration's
customer) and the client's IP address; a new conversation against the client and the IP address.
A refused request raises `RateLimitedError` (an `InputError`) before anything is stored.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.errors import InputError
from app.store.ratelimits import Bucket

if TYPE_CHECKING:
    from app.identity import Caller
    from app.settings import Settings
    from app.store import Store

logger = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)
HOUR = timedelta(hours=1)
_MAX_KEY_PART = 150


class RateLimitedError(InputError):
    """Too many requests of one kind within the window; nothing was stored."""

    def __init__(self, message: str, *, limit: int, retry_after_s: float) -> None:
        self.limit = limit
        self.retry_after_s = retry_after_s
        super().__init__(message)


@dataclass
class Limits:
    """How many messages a minute and new conversations an hour are allowed, per kind of client."""

    per_conversation: int = 30
    per_client: int = 30
    per_ip: int = 240
    conversations_per_client: int = 30
    conversations_per_ip: int = 200
    tokens_per_ip: int = 120

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            per_conversation=settings.rate_limit_per_minute,
            per_client=settings.client_messages_per_minute,
            per_ip=settings.ip_messages_per_minute,
            conversations_per_client=settings.conversations_per_hour,
            conversations_per_ip=settings.ip_conversations_per_hour,
            tokens_per_ip=settings.visitor_tokens_per_hour,
        )


_MESSAGES = {
    "conversation": "You are sending messages too quickly (at most {limit} a minute in one conversation).",
    "client": "You are sending messages too quickly (at most {limit} a minute).",
    "ip": "Too many messages come from your network (at most {limit} a minute).",
    "conversations": "You have started too many conversations (at most {limit} an hour); "
    "please continue an earlier one.",
    "ip_conversations": "Too many conversations are started from your network (at most {limit} an hour).",
    "tokens": "Too many new sessions come from your network (at most {limit} an hour).",
}


class RateLimiter:
    """Checks and records, in one step, the hits a request adds to each of its buckets."""

    def __init__(
        self, store: Store, limits: Limits, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.limits = limits
        self.clock = clock

    def check_message(self, conversation_id: str, caller: Caller | None = None) -> None:
        """Count one customer message; RateLimitedError when any of its limits is reached."""
        buckets = [("conversation", _key("msg:conv", conversation_id), self.limits.per_conversation, WINDOW)]
        if caller is not None:
            buckets.append(("client", _key("msg:client", caller.customer), self.limits.per_client, WINDOW))
            if caller.ip:
                buckets.append(("ip", _key("msg:ip", caller.ip), self.limits.per_ip, WINDOW))
        self._take(buckets)

    def check_new_conversation(self, caller: Caller | None) -> None:
        """Count one new conversation for this caller (internal callers are not limited)."""
        if caller is None:
            return
        limit = self.limits.conversations_per_client
        buckets = [("conversations", _key("conv:client", caller.customer), limit, HOUR)]
        if caller.ip:
            buckets.append(
                ("ip_conversations", _key("conv:ip", caller.ip), self.limits.conversations_per_ip, HOUR)
            )
        self._take(buckets)

    def check_new_token(self, ip: str) -> None:
        """Count one visitor token issued to this IP address."""
        self._take([("tokens", _key("token:ip", ip), self.limits.tokens_per_ip, HOUR)])

    def _take(self, specs: list[tuple[str, str, int, timedelta]]) -> None:
        kinds = {key: kind for kind, key, _, _ in specs}
        buckets = [Bucket(key, limit, window) for _, key, limit, window in specs]
        refusal = self.store.rate_limits.take(buckets, now=self.clock())
        if refusal is None:
            return
        kind, limit = kinds[refusal.bucket.key], refusal.bucket.limit
        wait = max(1, round(refusal.retry_after_s))
        logger.warning("rate limited", extra={"limit_kind": kind, "limit": limit, "retry_after_s": wait})
        message = _MESSAGES[kind].format(limit=limit)
        raise RateLimitedError(
            f"{message} Please wait {_duration(wait)} and try again.",
            limit=limit,
            retry_after_s=refusal.retry_after_s,
        )


def _key(prefix: str, value: str) -> str:
    """A bucket key of bounded length (long ids are hashed)."""
    if len(value) > _MAX_KEY_PART:
        value = "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}:{value}"


def _duration(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
