"""A throwaway PostgreSQL server for the `postgres` tests, started from the local binaries.

`initdb` refuses to run as root, so as root the server runs as the `postgres` (or `nobody`) user
through `runuser`; its folder lives in /tmp (not pytest's 0700 tmp dir) so that user can reach it.
Authentication is `trust` and it listens on 127.0.0.1 only, on a free port.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The binaries or a user to run them as are missing."""


@dataclass
class PostgresServer:
    base: Path
    port: int
    bin_dir: Path
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        _run(self, [str(self.bin_dir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.base, ignore_errors=True)


def find_bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise PostgresUnavailable("no initdb on PATH or under /usr/lib/postgresql/*/bin")
    return Path(candidates[0]).parent


def _service_user() -> str | None:
    """None when we may run the server ourselves; otherwise an unprivileged account to use."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root and no 'postgres' or 'nobody' user to run the server as")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(server: PostgresServer, command: list[str]) -> None:
    if server.run_as is not None:
        command = ["runuser", "-u", server.run_as, "--", *command]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start in a fresh temporary folder; the caller must `stop()` it."""
    bin_dir, run_as = find_bin_dir(), _service_user()
    base = Path(tempfile.mkdtemp(prefix="support-pg-"))
    if run_as is not None:
        account = pwd.getpwnam(run_as)
        os.chown(base, account.pw_uid, account.pw_gid)
    server = PostgresServer(base=base, port=_free_port(), bin_dir=bin_dir, run_as=run_as)
    options = f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        _run(server, [str(bin_dir / "initdb"), "-D", str(base / "data"), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-sync"])  # fmt: skip
        _run(server, [str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-o", options,
                      "-l", str(base / "server.log"), "-w", "-t", "60", "start"])  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailable(f"{exc.cmd[0]} failed: {exc.stderr.strip() or exc.stdout.strip()}") from exc
    return server


@contextlib.contextmanager
def temporary_database(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the server for one test; dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    url = make_url(server_url)
    name = f"test_{uuid.uuid4().hex[:12]}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
