"""Load test: many concurrent customers against the app's JSON API, and the same turns without HTTP.

Each simulated customer replays demo dialogues (`datasets/dialogues/dev.jsonl`, never the test
split): it opens a conversation, sends that dialogue's customer turns one after another (with a
short think time), then opens the next conversation for another dialogue, until the time is up.
The questions vary (202 turns from 92 dialogues, in the dialogues' own follow-up order), so query
embeddings are not all cached after the first minute.

In the same run the script measures the throughput ceiling: a single process (`SupportDesk`, no
HTTP, no concurrency) answers the very turns the customers sent, back to back, over the same
data folder while the server is stopped. The headline is the ratio of the two throughputs.

Afterwards every conversation is read back and checked: each message the customer sent is stored
exactly once, in order, in its own conversation, and each reply the server returned is stored
once, right after its question.

    # let the script start `python -m app serve` on a free port with a fresh data folder:
    .venv/bin/python -m benchmarks.load_test --start --customers 50 --duration 120
    # several uvicorn workers sharing the data folder and database:
    .venv/bin/python -m benchmarks.load_test --start --workers 2
    # against a server you started (the ceiling then needs --data-dir, or it builds its own):
    .venv/bin/python -m benchmarks.load_test --url http://127.0.0.1:7860 --data-dir data

The script speaks as a trusted integration: the server's API key (`--api-key`, default
$SUPPORT_API_KEY; `--start` makes one up) and each simulated customer's own id (`X-Customer-Id`).
A server it starts has its rate limits raised out of the way (they are still checked and counted
on every turn); rate-limited messages (HTTP 429) are counted apart and must not be stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tqdm import tqdm

from eval.metrics.latency import percentile as latency_percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
DIALOGUES = REPO_ROOT / "datasets" / "dialogues" / "dev.jsonl"
UNLIMITED = "1000000"  # the started server's rate limits: checked on every turn, never refusing
RAISED_LIMITS = {
    "SUPPORT_RATE_LIMIT_PER_MINUTE": UNLIMITED,
    "SUPPORT_CLIENT_MESSAGES_PER_MINUTE": UNLIMITED,
    "SUPPORT_IP_MESSAGES_PER_MINUTE": UNLIMITED,
    "SUPPORT_CONVERSATIONS_PER_HOUR": UNLIMITED,
    "SUPPORT_IP_CONVERSATIONS_PER_HOUR": UNLIMITED,
}


def load_dialogues(path: Path = DIALOGUES) -> list[list[str]]:
    """Each dialogue's customer turns, in order (turns that need an attachment are left out)."""
    dialogues = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            turns = [t["text"] for t in json.loads(line)["turns"] if not t.get("attachment") and t["text"]]
            if turns:
                dialogues.append(turns)
    if not dialogues:
        raise SystemExit(f"no dialogues in {path}")
    return dialogues


@dataclass
class Turn:
    text: str
    status: int
    latency_s: float
    reply_id: int | None = None
    reply_text: str | None = None


@dataclass
class Conversation:
    """One replayed dialogue: its id on the server and the turns sent in it."""

    conversation_id: str
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Customer:
    name: str
    api_key: str = ""
    conversations: list[Conversation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """The JSON API's credentials: the integration's key, speaking for this customer."""
        return {"X-API-Key": self.api_key, "X-Customer-Id": self.name}

    @property
    def turns(self) -> list[Turn]:
        return [turn for conversation in self.conversations for turn in conversation.turns]


def percentile(values: list[float], q: float) -> float:
    """The evaluation's percentile definition (eval.metrics.latency), NaN when nothing was measured."""
    return latency_percentile(values, q) if values else float("nan")


@dataclass
class LoadRun:
    """What one load phase needs: where, for how long, and the dialogues to draw from."""

    client: httpx.AsyncClient
    dialogues: list[list[str]]
    deadline: float
    think_s: float
    progress: tqdm


async def run_customer(run: LoadRun, customer: Customer, rng: random.Random) -> None:
    """One customer: replay randomly drawn dialogues, each in a new conversation, until the deadline."""
    while time.monotonic() < run.deadline:
        response = await run.client.post("/api/conversations", headers=customer.headers)
        if response.status_code != 201:
            customer.problems.append(f"could not start: {response.status_code} {response.text[:200]}")
            return
        conversation = Conversation(response.json()["conversation_id"])
        customer.conversations.append(conversation)
        for text in rng.choice(run.dialogues):
            if time.monotonic() >= run.deadline:
                return
            conversation.turns.append(await send(run.client, customer, conversation.conversation_id, text))
            run.progress.update(1)
            await asyncio.sleep(run.think_s * rng.uniform(0.5, 1.5))


async def send(client: httpx.AsyncClient, customer: Customer, conversation_id: str, text: str) -> Turn:
    """One message through the JSON API, timed."""
    started = time.perf_counter()
    try:
        path = f"/api/conversations/{conversation_id}/messages"
        response = await client.post(path, json={"text": text}, headers=customer.headers)
        status, body = response.status_code, (response.json() if response.content else {})
    except httpx.HTTPError as exc:
        status, body = 0, {"detail": type(exc).__name__}
    turn = Turn(text, status, time.perf_counter() - started)
    if status == 200:
        turn.reply_id, turn.reply_text = body["message_id"], body["text"]
    return turn


async def verify(client: httpx.AsyncClient, customer: Customer, conversation: Conversation) -> None:
    """Read one conversation back: every accepted message and reply stored once, in order, here."""
    path = f"/api/conversations/{conversation.conversation_id}/messages"
    for attempt in range(3):  # a dropped keep-alive connection is the client's problem, not the server's
        try:
            response = await client.get(path, headers=customer.headers)
            break
        except httpx.TransportError:
            if attempt == 2:
                raise
    if response.status_code != 200:
        customer.problems.append(f"history unreadable: {response.status_code}")
        return
    stored = [(m["role"], m["content"], m["id"]) for m in response.json()["messages"]]
    expected: list[tuple[str, str, int | None]] = []
    for turn in conversation.turns:
        if turn.status == 200:
            expected += [("user", turn.text, None), ("assistant", turn.reply_text or "", turn.reply_id)]
        elif turn.status not in (422, 429):  # a failed turn may leave its question, never a half answer
            expected.append(("user?", turn.text, None))
    problems = compare(stored, expected)
    customer.problems += [f"{conversation.conversation_id[:8]}: {p}" for p in problems]


async def verify_all(url: str, people: list[Customer], timeout_s: float) -> None:
    """Every conversation read back, a few at a time, on fresh connections."""
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s) as client:
        gate = asyncio.Semaphore(8)

        async def one(person: Customer, conversation: Conversation) -> None:
            async with gate:
                await verify(client, person, conversation)

        await asyncio.gather(*(one(p, c) for p in people for c in p.conversations))


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
    url: str,
    customers: int,
    duration_s: float,
    think_s: float,
    timeout_s: float,
    api_key: str,
    dialogues: list[list[str]],
) -> tuple[list[Customer], float]:
    """Run the customers until the deadline; returns them with the wall time until the last answer."""
    limits = httpx.Limits(max_connections=customers + 10, max_keepalive_connections=customers + 10)
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s, limits=limits) as client:
        people = [Customer(f"load-{index:03d}", api_key) for index in range(customers)]
        started = time.monotonic()
        with tqdm(desc="turns", unit="turn", file=sys.stderr, mininterval=5) as progress:
            run = LoadRun(client, dialogues, started + duration_s, think_s, progress)
            await asyncio.gather(
                *(run_customer(run, person, random.Random(i)) for i, person in enumerate(people))
            )
        wall = time.monotonic() - started
    return people, wall


# --- the single-process ceiling ----------------------------------------------------------------
@dataclass
class Ceiling:
    """The same turns answered back to back by one in-process `SupportDesk`."""

    turns: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    cpu_s: float  # CPU time the process used meanwhile (all its threads)

    @property
    def throughput(self) -> float:
        return self.turns / self.seconds if self.seconds else float("nan")


def ceiling_plan(people: list[Customer], max_turns: int) -> list[list[str]]:
    """The conversations the customers had (answered turns only), in round-robin order, up to
    `max_turns` turns: the same questions, in the same follow-up order, as under load."""
    queues = [[c for c in person.conversations if any(t.status == 200 for t in c.turns)] for person in people]
    plan, total = [], 0
    while total < max_turns and any(queues):
        for queue in queues:
            if queue and total < max_turns:
                texts = [t.text for t in queue.pop(0).turns if t.status == 200][: max_turns - total]
                plan.append(texts)
                total += len(texts)
    return plan


def measure_ceiling(plan: list[list[str]], data_dir: Path, env: dict[str, str]) -> Ceiling:
    """Run `answer_back_to_back` in a fresh process over `data_dir` (the server must be stopped)."""
    with tempfile.TemporaryDirectory(prefix="support-ceiling-") as folder:
        plan_file, out_file = Path(folder) / "plan.json", Path(folder) / "ceiling.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        command = [sys.executable, "-m", "benchmarks.load_test", "--ceiling-plan", str(plan_file)]
        command += ["--ceiling-out", str(out_file)]
        run_env = {**os.environ, **env, "SUPPORT_DATA_DIR": str(data_dir), "SUPPORT_LOG_LEVEL": "WARNING"}
        subprocess.run(command, cwd=REPO_ROOT, env=run_env, check=True)
        return Ceiling(**json.loads(out_file.read_text(encoding="utf-8")))


def answer_back_to_back(plan: list[list[str]]) -> Ceiling:
    """In this process: the desk the server would build, answering each turn in turn (no HTTP).

    The knowledge base is restored (or ingested) and the answer-unit warm-up finished before the
    clock starts, and one untimed turn loads the models, so only steady-state turns are timed.
    """
    from app.agent.desk import SupportDesk
    from app.knowledge.bootstrap import ensure_knowledge
    from app.settings import load_settings

    settings = load_settings()
    desk = SupportDesk.from_settings(settings)
    ensure_knowledge(desk.kb, settings)
    desk.finish_warm_up()

    async def run() -> Ceiling:
        await desk.reply(desk.start_conversation("ceiling-warmup"), "Hello")
        latencies, errors = [], 0
        started, cpu = time.perf_counter(), time.process_time()
        for number, texts in enumerate(plan):
            conversation = desk.start_conversation(f"ceiling-{number:04d}")
            for text in texts:
                began = time.perf_counter()
                try:
                    await desk.reply(conversation, text)
                except Exception:  # counted, like an HTTP error under load
                    errors += 1
                latencies.append((time.perf_counter() - began) * 1000)
        took = time.perf_counter() - started
        return Ceiling(len(latencies), took, latencies, errors, time.process_time() - cpu)

    try:
        return asyncio.run(run())
    finally:
        desk.close()


# --- the report --------------------------------------------------------------------------------
def report(
    people: list[Customer],
    wall_s: float,
    ceiling: Ceiling | None,
    setup: dict[str, str],
    server_cpu_s: float | None = None,
) -> str:
    """The ratio table (load vs single process) and the stored-history check."""
    turns = [turn for person in people for turn in person.turns]
    ok = [turn.latency_s * 1000 for turn in turns if turn.status == 200]
    statuses = Counter(turn.status for turn in turns)
    errors = Counter({status: n for status, n in statuses.items() if status not in (200, 429)})
    problems = [problem for person in people for problem in person.problems]
    throughput = len(ok) / wall_s
    lines = [f"{name}: {value}" for name, value in setup.items()]
    header = ("", "turns", "seconds", "turns/s", "p50 ms", "p95 ms", "max ms", "errors", "CPU ms/turn")
    rows = [
        (
            "HTTP, concurrent customers",
            len(ok),
            f"{wall_s:.1f}",
            f"{throughput:.2f}",
            f"{percentile(ok, 50):.0f}",
            f"{percentile(ok, 95):.0f}",
            f"{max(ok, default=float('nan')):.0f}",
            f"{sum(errors.values())}" + (f" {dict(errors)}" if errors else ""),
            f"{server_cpu_s * 1000 / len(ok):.1f}" if server_cpu_s is not None and ok else "-",
        )
    ]
    if ceiling is not None:
        rows.append(
            (
                "single process, back to back",
                ceiling.turns,
                f"{ceiling.seconds:.1f}",
                f"{ceiling.throughput:.2f}",
                f"{percentile(ceiling.latencies_ms, 50):.0f}",
                f"{percentile(ceiling.latencies_ms, 95):.0f}",
                f"{max(ceiling.latencies_ms, default=float('nan')):.0f}",
                f"{ceiling.errors}",
                f"{ceiling.cpu_s * 1000 / ceiling.turns:.1f}" if ceiling.turns else "-",
            )
        )
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        lines.append(" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    ratio = throughput / ceiling.throughput if ceiling else float("nan")
    lines += [
        f"ratio (HTTP / single process): {ratio:.2f}",
        f"rate limited (429): {statuses.get(429, 0)}; turns sent: {len(turns)}; conversations: "
        f"{sum(len(p.conversations) for p in people)}",
        "stored-history check: "
        + (
            "OK: every message and reply stored once, in order"
            if not problems
            else f"FAILED: {len(problems)}"
        ),
    ]
    lines += [f"  - {problem}" for problem in problems[:20]]
    return "\n".join(lines)


# --- the server --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(folder: Path, api_key: str, workers: int) -> dict[str, str]:
    """The environment of a started server (and of the ceiling process over the same folder)."""
    return {
        "SUPPORT_API_KEY": api_key,
        "SUPPORT_DATA_DIR": str(folder),
        "SUPPORT_HOST": "127.0.0.1",
        "SUPPORT_LOG_LEVEL": "WARNING",
        "SUPPORT_WORKERS": str(workers),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        **RAISED_LIMITS,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process and its descendants (uvicorn's workers) used so far."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


@contextlib.contextmanager
def started_server(folder: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`python -m app serve` on a free port over `folder` (its URL and process id); stopped (and
    waited for) afterwards."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "server.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=REPO_ROOT,
        env={**os.environ, **env, "SUPPORT_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        yield url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


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


async def warm_up(url: str, api_key: str, seconds: float) -> None:
    """Untimed turns before the measured phase: the server's models load and its warm-up settles."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        customer = Customer("load-warmup", api_key)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            response = await client.post("/api/conversations", headers=customer.headers)
            response.raise_for_status()
            await send(client, customer, response.json()["conversation_id"], "Hello, can you help me?")


def machine() -> str:
    """How busy the machine is: cores this process may use and the load average (1, 5, 15 min)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:7860")
    where.add_argument("--start", action="store_true", help="start python -m app serve on a free port")
    parser.add_argument("--data-dir", type=Path, help="the data folder (default with --start: a temp one)")
    parser.add_argument("--workers", type=int, default=1, help="with --start: uvicorn worker processes")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds before the load")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause before the next message (s)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout in seconds")
    parser.add_argument(
        "--ceiling-turns", type=int, default=300, help="turns replayed without HTTP (0: none)"
    )
    parser.add_argument("--dialogues", type=Path, default=DIALOGUES, help="JSONL dialogues to draw from")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("SUPPORT_API_KEY"),
        help="the server's SUPPORT_API_KEY (default: the environment's; --start makes one up)",
    )
    parser.add_argument("--ceiling-plan", type=Path, help=argparse.SUPPRESS)  # the ceiling's own process
    parser.add_argument("--ceiling-out", type=Path, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.ceiling_plan:
        result = answer_back_to_back(json.loads(args.ceiling_plan.read_text(encoding="utf-8")))
        args.ceiling_out.write_text(json.dumps(vars(result)), encoding="utf-8")
        return 0
    if not (args.url or args.start):
        parser.error("one of --url or --start is required")
    api_key = args.api_key or (secrets.token_urlsafe(24) if args.start else None)
    if not api_key:
        parser.error("--url needs the server's API key: --api-key or SUPPORT_API_KEY")
    dialogues = load_dialogues(args.dialogues)
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="support-load-"))
    env = server_env(folder, api_key, args.workers)
    setup = {
        "machine at start": machine(),
        "load": f"{args.customers} customers, {args.duration:.0f} s, think {args.think} s, "
        f"{sum(map(len, dialogues))} turns from {len(dialogues)} dialogues ({args.dialogues.name})",
        "server": f"started, {args.workers} worker(s)" if args.start else args.url,
    }
    if args.start:  # ingest and warm the folder first, so the load meets a server in its steady state
        measure_ceiling([], folder, env)
    server_cpu = None
    with contextlib.ExitStack() as stack:
        url, pid = (args.url, None) if args.url else stack.enter_context(started_server(folder, env))
        asyncio.run(warm_up(url.rstrip("/"), api_key, args.warmup))
        cpu_before = cpu_seconds(pid) if pid else 0.0
        people, wall = asyncio.run(
            load(url.rstrip("/"), args.customers, args.duration, args.think, args.timeout, api_key, dialogues)
        )
        if pid:
            server_cpu = cpu_seconds(pid) - cpu_before
        asyncio.run(verify_all(url.rstrip("/"), people, args.timeout))
    setup["machine after load"] = machine()
    ceiling = None
    if args.ceiling_turns > 0:
        ceiling = measure_ceiling(ceiling_plan(people, args.ceiling_turns), folder, env)
    print(report(people, wall, ceiling, setup, server_cpu))
    return 0 if not any(person.problems for person in people) else 1


if __name__ == "__main__":
    raise SystemExit(main())
