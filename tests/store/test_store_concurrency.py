"""Many threads writing at once: nothing lost, order kept, one ticket per conversation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from app.store import Store

T = TypeVar("T")
THREADS = 8
MESSAGES_PER_THREAD = 50


def run_together(count: int, work: Callable[[int], T]) -> list[T]:
    """Start `count` workers behind a barrier so they really hit the database at the same time."""
    barrier = threading.Barrier(count)

    def start(index: int) -> T:
        barrier.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def test_concurrent_writers_lose_nothing_and_keep_order(store: Store) -> None:
    customer = store.customers.get_or_create("c-busy")
    conversations = [store.conversations.create(customer.id, f"thread {i}") for i in range(THREADS)]

    def write(index: int) -> int:
        for number in range(MESSAGES_PER_THREAD):
            store.messages.add(conversations[index].id, "user", f"{index}:{number}")
        return index

    run_together(THREADS, write)
    for index, conversation in enumerate(conversations):
        contents = [m.content for m in store.messages.list(conversation.id)]
        assert contents == [f"{index}:{number}" for number in range(MESSAGES_PER_THREAD)]


def test_concurrent_escalations_open_exactly_one_ticket(store: Store) -> None:
    customer = store.customers.get_or_create("c-impatient")
    conversation = store.conversations.create(customer.id)

    results = run_together(
        THREADS,
        lambda index: store.tickets.open(
            conversation.id, reason=f"attempt {index}", priority="high", summary=""
        ),
    )
    assert len({ticket.id for ticket, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(store.tickets.list()) == 1
    assert [h["event"] for h in store.tickets.for_conversation(conversation.id).history] == ["opened"]


def test_concurrent_first_visits_create_one_customer(store: Store) -> None:
    ids = run_together(THREADS, lambda _: store.customers.get_or_create("c-same", "Sam").id)
    assert len(set(ids)) == 1
