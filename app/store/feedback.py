"""Thumbs up or down on an assistant message, with an optional comment."""

from __future__ import annotations

from sqlalchemy import func, select

from app.errors import InputError
from app.store.base import Repository, get_row, require_text
from app.store.models import Feedback, Message
from app.store.records import RATINGS, FeedbackRecord, check_choice, record_from_row


def feedback_record(row: Feedback) -> FeedbackRecord:
    return record_from_row(FeedbackRecord, row)


class FeedbackRepository(Repository):
    def add(self, message_id: int, rating: int, comment: str | None = None) -> FeedbackRecord:
        """Store a rating: +1 (helpful) or -1 (not helpful)."""
        if isinstance(rating, bool):  # True == 1 in Python; a boolean is a caller bug, not a rating
            raise InputError(f"Invalid rating {rating!r}: expected one of 1, -1.")
        check_choice("rating", rating, RATINGS)
        if comment is not None:
            require_text("comment", comment, max_chars=4000, allow_empty=True)
        with self._db.session(write=True) as session:
            get_row(session, Message, message_id, "message")
            row = Feedback(message_id=message_id, rating=rating, comment=comment or None)
            session.add(row)
            session.flush()
            return feedback_record(row)

    def list_for_message(self, message_id: int) -> list[FeedbackRecord]:
        query = select(Feedback).where(Feedback.message_id == message_id).order_by(Feedback.id)
        with self._db.session() as session:
            return [feedback_record(row) for row in session.scalars(query)]

    def latest(self) -> list[FeedbackRecord]:
        """Each rated message's most recent rating (a visitor may change their mind), oldest first."""
        newest = select(func.max(Feedback.id)).group_by(Feedback.message_id)
        query = select(Feedback).where(Feedback.id.in_(newest)).order_by(Feedback.id)
        with self._db.session() as session:
            return [feedback_record(row) for row in session.scalars(query)]
