"""Rate-limit counters kept in the database, checked and recorded in one locked transaction.

Each limited thing (a conversation, a visitor, an IP address) has a bucket row. `take` locks the
buckets it needs (SQLite: the whole database, through `BEGIN IMMEDIATE`; PostgreSQL: the bucket
rows, `SELECT ... FOR UPDATE`, in key order so two callers never deadlock), counts the recent hits,
and records a hit in every bucket only when all of them have room. Concurrent requests therefore
queue on the lock instead of all reading the same count, so no burst gets past a limit, across
threads, worker processes and servers sharing the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store.base import Repository
from app.store.models import RateLimitBucket, RateLimitHit


@dataclass(frozen=True)
class Bucket:
    """At most `limit` hits under `key` in any sliding `window`."""

    key: str
    limit: int
    window: timedelta


@dataclass(frozen=True)
class Refusal:
    """The bucket that was full, and how long until its oldest counted hit expires."""

    bucket: Bucket
    retry_after_s: float


class RateLimitRepository(Repository):
    def take(self, buckets: Sequence[Bucket], *, now: datetime) -> Refusal | None:
        """Record one hit in every bucket, or in none when one of them is full (then say which)."""
        if not buckets:
            return None
        with self._db.session(write=True) as session:
            self._lock(session, sorted({bucket.key for bucket in buckets}), now)
            for bucket in buckets:
                refusal = _full(session, bucket, now)
                if refusal is not None:
                    return refusal
            for bucket in buckets:
                session.execute(
                    delete(RateLimitHit).where(
                        RateLimitHit.bucket == bucket.key, RateLimitHit.created_at <= now - bucket.window
                    )
                )
            session.add_all(RateLimitHit(bucket=bucket.key, created_at=now) for bucket in buckets)
        return None

    def _lock(self, session: Session, keys: list[str], now: datetime) -> None:
        """Make sure the bucket rows exist, then hold them until the transaction ends."""
        dialect = session.get_bind().dialect.name
        rows = [{"key": key, "created_at": now} for key in keys]
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"rate limits need SQLite or PostgreSQL, not {dialect}")
        session.execute(insert(RateLimitBucket).values(rows).on_conflict_do_nothing(index_elements=["key"]))
        query = select(RateLimitBucket.key).where(RateLimitBucket.key.in_(keys)).order_by(RateLimitBucket.key)
        session.execute(query.with_for_update())  # a no-op on SQLite, already serialised


def _full(session: Session, bucket: Bucket, now: datetime) -> Refusal | None:
    recent = session.scalars(
        select(RateLimitHit.created_at)
        .where(RateLimitHit.bucket == bucket.key, RateLimitHit.created_at > now - bucket.window)
        .order_by(RateLimitHit.created_at.desc())
        .limit(bucket.limit)
    ).all()
    if len(recent) < bucket.limit:
        return None
    oldest_counted = recent[-1]
    return Refusal(bucket, max(0.0, (oldest_counted + bucket.window - now).total_seconds()))
