"""Long-term memory about a customer: small key/value facts the agent may recall next time."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.store.base import Repository, get_row, require_text
from app.store.models import Customer, CustomerMemory, utcnow
from app.store.records import MemoryRecord, record_from_row

MAX_KEY_CHARS = 100
MAX_VALUE_CHARS = 2000


def memory_record(row: CustomerMemory) -> MemoryRecord:
    return record_from_row(MemoryRecord, row)


class MemoryRepository(Repository):
    def upsert(self, customer_id: int, key: str, value: str) -> MemoryRecord:
        """Set `key` for this customer, replacing an earlier value (one row per customer and key)."""
        key = require_text("memory key", key, max_chars=MAX_KEY_CHARS).strip()
        require_text("memory value", value, max_chars=MAX_VALUE_CHARS)
        try:
            return self._upsert(customer_id, key, value)
        except IntegrityError:  # a concurrent first write of the same key won; overwrite it
            return self._upsert(customer_id, key, value)

    def _upsert(self, customer_id: int, key: str, value: str) -> MemoryRecord:
        with self._db.session(write=True) as session:
            get_row(session, Customer, customer_id, "customer")
            query = select(CustomerMemory).where(
                CustomerMemory.customer_id == customer_id, CustomerMemory.key == key
            )
            row = session.scalar(query)
            if row is None:
                row = CustomerMemory(customer_id=customer_id, key=key, value=value)
                session.add(row)
            elif row.value != value:
                row.value = value
                row.updated_at = utcnow()
            session.flush()
            return memory_record(row)

    def list(self, customer_id: int) -> list[MemoryRecord]:
        """Every fact about the customer, by key."""
        query = select(CustomerMemory).where(CustomerMemory.customer_id == customer_id)
        with self._db.session() as session:
            return [memory_record(row) for row in session.scalars(query.order_by(CustomerMemory.key))]

    def delete(self, customer_id: int, key: str) -> bool:
        """Forget one fact; False when there was nothing to forget."""
        query = delete(CustomerMemory).where(
            CustomerMemory.customer_id == customer_id, CustomerMemory.key == key.strip()
        )
        with self._db.session(write=True) as session:
            return bool(session.execute(query).rowcount)
