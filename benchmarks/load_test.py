"""Load test: many concurrent customers against the RUNNING app, through its JSON API (app/api.py).

Each simulated customer opens its own conversation and sends questions one after another (with a
short think time) until the time is up. Afterwards every conversation is read back and checked:
each message the customer sent is stored exactly once, in order, in its own conversation, and each
reply the server returned is stored once, right after its question.

    # against a server you started (python -m app serve):
    .venv/bin/python -m benchmarks.load_test --url http://127.0.0.1:7860
    # or let the script start one on a free port with a fresh data folder:
    .venv/bin/python -m benchmarks.load_test --start --customers 50 --duration 30

The script speaks as a trusted integration: the server's API key (`--api-key`, default
$SUPPORT_API_KEY; `--start` makes one up) and each simulated customer's own id (`X-Customer-Id`),
so the per-address limits that protect the public chat do not count all customers as one client.
Rate-limited messages (HTTP 429) are counted apart: they are the limiter doing its job, and the
check expects them not to be stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tqdm import tqdm

from eval.metrics.latency import percentile as latency_percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "How much is the Plus plan?",
    "How do I reset my password?",
    "How long does a refund take?",
    "Do you deliver to Germany?",
    "How do I start a return?",
    "How do I track my order?",
    "Can I pay with PayPal?",
    "What is the capital of Mongolia?",
    "Thanks, that helps!",
)


@dataclass
class Turn:
    text: str
    status: int
    latency_s: float
    reply_id: int | None = None
    reply_text: str | None = None


@dataclass
class Customer:
    name: str
    api_key: str = ""
    conversation: str | None = None
    turns: list[Turn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """The JSON API's credentials: the integration's key, speaking for this customer."""
        return {"X-API-Key": self.api_key, "X-Customer-Id": self.name}


def percentile(values: list[float], q: float) -> float:
    """The evaluation's percentile definition (eval.metrics.latency), NaN when nothing was measured."""
    return latency_percentile(values, q) if values else float("nan")


async def run_customer(
    client: httpx.AsyncClient,
    customer: Customer,
    deadline: float,
    think_s: float,
    rng: random.Random,
    progress: tqdm,
) -> None:
    """One customer: open a conversation, then ask until the deadline."""
    response = await client.post("/api/conversations", headers=customer.headers)
    if response.status_code != 201:
        customer.problems.append(f"could not start: {response.status_code} {response.text[:200]}")
        return
    customer.conversation = response.json()["conversation_id"]
    number = 0
    while time.monotonic() < deadline:
        number += 1
        text = f"{rng.choice(QUESTIONS)} (#{number} from {customer.name})"
        started = time.perf_counter()
        try:
            path = f"/api/conversations/{customer.conversation}/messages"
            response = await client.post(path, json={"text": text}, headers=customer.headers)
            status, body = response.status_code, (response.json() if response.content else {})
        except httpx.HTTPError as exc:
            status, body = 0, {"detail": type(exc).__name__}
        turn = Turn(text, status, time.perf_counter() - started)
        if status == 200:
            turn.reply_id, turn.reply_text = body["message_id"], body["text"]
        customer.turns.append(turn)
        progress.update(1)
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


async def verify(client: httpx.AsyncClient, customer: Customer) -> None:
    """Read the conversation back: every accepted message and reply stored once, in order, here."""
    if customer.conversation is None:
        return
    response = await client.get(
        f"/api/conversations/{customer.conversation}/messages", headers=customer.headers
    )
    if response.status_code != 200:
        customer.problems.append(f"history unreadable: {response.status_code}")
        return
    stored = [(m["role"], m["content"], m["id"]) for m in response.json()["messages"]]
    expected: list[tuple[str, str, int | None]] = []
    for turn in customer.turns:
        if turn.status == 200:
            expected += [("user", turn.text, None), ("assistant", turn.reply_text or "", turn.reply_id)]
        elif turn.status not in (422, 429):  # a failed turn may leave its question, never a half answer
            expected.append(("user?", turn.text, None))
    problems = compare(stored, expected)
    customer.problems += [f"{customer.conversation[:8]}: {p}" for p in problems]


def compare(stored: list[tuple[str, str, int]], expected: list[tuple[str, str, int | None]]) -> list[str]:
    """Walk both lists; `user?` entries (failed turns) may or may not be stored."""
    problems, position = [], 0
    for role, text, reply_id in expected:
        here = stored[position] if position < len(stored) else None
        if role == "user?":
            if here is not None and here[:2] == ("user", text):
                position += 1
            continue
        wrong_id = reply_id is not None and here is not None and here[2] != reply_id
        if here is None or here[0] != role or here[1] != text or wrong_id:
            problems.append(f"expected {role} {text[:40]!r} at position {position}, found {str(here)[:80]}")
            return problems
        position += 1
    if position != len(stored):
        problems.append(f"{len(stored) - position} unexpected extra stored messages")
    return problems


async def load(
    url: str, customers: int, duration_s: float, think_s: float, timeout_s: float, api_key: str
) -> list[Customer]:
    limits = httpx.Limits(max_connections=customers + 10, max_keepalive_connections=customers + 10)
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s, limits=limits) as client:
        people = [Customer(f"load-{index:03d}", api_key) for index in range(customers)]
        deadline = time.monotonic() + duration_s
        with tqdm(desc="turns", unit="turn") as progress:
            await asyncio.gather(
                *(
                    run_customer(client, person, deadline, think_s, random.Random(i), progress)
                    for i, person in enumerate(people)
                )
            )
        await asyncio.gather(*(verify(client, person) for person in people))
    return people


def report(people: list[Customer], wall_s: float, customers: int, duration_s: float) -> str:
    turns = [turn for person in people for turn in person.turns]
    ok = [turn.latency_s * 1000 for turn in turns if turn.status == 200]
    statuses = Counter(turn.status for turn in turns)
    errors = Counter({status: n for status, n in statuses.items() if status not in (200, 429)})
    problems = [problem for person in people for problem in person.problems]
    rows = [
        ("customers (concurrent)", f"{customers}"),
        ("planned duration", f"{duration_s:.0f} s"),
        ("wall time (incl. drain)", f"{wall_s:.1f} s"),
        ("turns sent", f"{len(turns)}"),
        ("turns answered (200)", f"{len(ok)}"),
        ("rate limited (429)", f"{statuses.get(429, 0)}"),
        ("errors (other)", f"{sum(errors.values())}" + (f"  by status: {dict(errors)}" if errors else "")),
        ("throughput", f"{len(ok) / wall_s:.2f} turns/s"),
        ("latency p50", f"{percentile(ok, 50):.0f} ms"),
        ("latency p95", f"{percentile(ok, 95):.0f} ms"),
        ("latency max", f"{max(ok, default=float('nan')):.0f} ms"),
        (
            "stored-history check",
            "OK: every message and reply stored once, in order"
            if not problems
            else f"FAILED: {len(problems)} problems",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += [f"  - {problem}" for problem in problems[:20]]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def started_server(data_dir: Path | None, api_key: str) -> Iterator[str]:
    """`python -m app serve` on a free port with a fresh data folder; stopped afterwards."""
    port = free_port()
    folder = data_dir or Path(tempfile.mkdtemp(prefix="support-load-"))
    env = {
        **os.environ,
        "SUPPORT_API_KEY": api_key,
        "SUPPORT_DATA_DIR": str(folder),
        "SUPPORT_PORT": str(port),
        "SUPPORT_HOST": "127.0.0.1",
        "SUPPORT_LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "server.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        time.sleep(1)
    raise SystemExit(f"{url}/healthz was not green within {timeout_s:.0f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:7860")
    where.add_argument("--start", action="store_true", help="start python -m app serve on a free port")
    parser.add_argument("--data-dir", type=Path, help="with --start: the data folder (default: a temp one)")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause before the next message (s)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout in seconds")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("SUPPORT_API_KEY"),
        help="the server's SUPPORT_API_KEY (default: the environment's; --start makes one up)",
    )
    args = parser.parse_args(argv)
    api_key = args.api_key or (secrets.token_urlsafe(24) if args.start else None)
    if not api_key:
        parser.error("--url needs the server's API key: --api-key or SUPPORT_API_KEY")

    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(started_server(args.data_dir, api_key))
        started = time.monotonic()
        people = asyncio.run(
            load(url.rstrip("/"), args.customers, args.duration, args.think, args.timeout, api_key)
        )
        wall = time.monotonic() - started
    print(report(people, wall, args.customers, args.duration))
    return 0 if not any(person.problems for person in people) else 1


if __name__ == "__main__":
    raise SystemExit(main())
