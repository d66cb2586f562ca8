"""Real servers on 127.0.0.1 for the reliability and scale-out tests, started as child processes.

`chroma run`, `mlflow server` and `python -m app serve` each get a free port and a log file; the
helpers wait until the port answers and stop exactly the process they started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, timeout_s: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers at all (any status); fail early if the process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s:.0f}s")


@dataclass
class ServerProcess:
    """A child server process with its port and log file."""

    command: list[str]
    port: int
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    health_path: str = "/"
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self, *, timeout_s: float = 60.0) -> ServerProcess:
        return self.launch().wait_ready(timeout_s=timeout_s)

    def launch(self) -> ServerProcess:
        """Start the process without waiting (several servers can then warm up side by side)."""
        handle = self.log.open("ab")
        env = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            self.command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, *, timeout_s: float = 60.0) -> ServerProcess:
        try:
            wait_for_http(self.url + self.health_path, timeout_s=timeout_s, process=self.process)
        except Exception as exc:
            self.stop()
            raise RuntimeError(f"{exc}; log tail:\n{self.log_tail()}") from exc
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process this object started (its own session, so its children too)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def chroma_server(data: Path, log_dir: Path, port: int | None = None) -> ServerProcess:
    """`chroma run` over `data` (the same path and port can be started again after a stop)."""
    port = port or free_port()
    command = [
        str(VENV_BIN / "chroma"),
        "run",
        "--path",
        str(data),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return ServerProcess(command, port, log_dir / f"chroma-{port}.log", health_path="/api/v2/heartbeat")


def mlflow_server(backend_uri: str, artifacts: Path, log_dir: Path) -> ServerProcess:
    """`mlflow server` with a SQLite backend store, one worker, on loopback."""
    port = free_port()
    command = [
        str(VENV_BIN / "mlflow"),
        "server",
        "--backend-store-uri",
        backend_uri,
        "--artifacts-destination",
        str(artifacts),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    return ServerProcess(command, port, log_dir / f"mlflow-{port}.log", env=env, health_path="/health")


def app_server(env: dict[str, str], log_dir: Path, name: str = "app") -> ServerProcess:
    """`python -m app serve` with the given SUPPORT_* environment, on a free port."""
    port = free_port()
    env = {**env, "SUPPORT_HOST": "127.0.0.1", "SUPPORT_PORT": str(port)}
    return ServerProcess(
        [sys.executable, "-m", "app", "serve"],
        port,
        log_dir / f"{name}-{port}.log",
        env=env,
        health_path="/metrics",
    )


@contextlib.contextmanager
def running(*servers: ServerProcess, timeout_s: float = 90.0) -> Iterator[tuple[ServerProcess, ...]]:
    """Start servers in order; stop all of them afterwards, whatever happened."""
    started: list[ServerProcess] = []
    try:
        for server in servers:
            started.append(server.launch())
        for server in servers:
            server.wait_ready(timeout_s=timeout_s)
        yield servers
    finally:
        for server in reversed(started):
            server.stop()


def pg_module():
    """tests/store/pg_server.py (the throwaway PostgreSQL the store tests use), imported by path."""
    import importlib.util

    if "pg_server" in sys.modules:
        return sys.modules["pg_server"]
    spec = importlib.util.spec_from_file_location("pg_server", REPO_ROOT / "tests" / "store" / "pg_server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pg_server"] = module
    spec.loader.exec_module(module)
    return module


def pause_postgres(server) -> None:
    """Stop the server but keep its data, so `resume_postgres` brings the same database back."""
    pg = pg_module()
    pg._run(
        server, [str(server.bin_dir / "pg_ctl"), "-D", str(server.base / "data"), "-m", "fast", "-w", "stop"]
    )


def resume_postgres(server) -> None:
    pg = pg_module()
    options = f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg._run(
        server,
        [
            str(server.bin_dir / "pg_ctl"),
            "-D",
            str(server.base / "data"),
            "-o",
            options,
            "-l",
            str(server.base / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
    )
