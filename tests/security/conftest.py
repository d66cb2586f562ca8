"""A real `python -m app serve` for the security tests, attacked the way an outsider would.

One server per session (start-up loads the embedding model, so it is shared): a free port on
127.0.0.1, a temporary data folder, a three-document knowledge base, staff credentials, and its own
Gradio upload folder (GRADIO_TEMP_DIR) so tests can see exactly what uploads leave behind. Limits
are set low (1 MiB per file, a 4 MiB hourly upload quota per client) so the tests stay quick.
The process helpers come from tests/reliability/servers.py.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from sec_limits import MAX_FILE_BYTES, STALE_NAME, UPLOAD_QUOTA_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]
KB_FILES = ("account/reset-password.md", "orders/track-your-order.md", "orders/missing-or-late-parcel.md")
STAFF = ("sam", "correct horse battery staple")
START_TIMEOUT_S = 180


def _servers() -> ModuleType:
    """tests/reliability/servers.py, imported by path (it is not a package)."""
    if "servers" in sys.modules:
        return sys.modules["servers"]
    path = REPO_ROOT / "tests" / "reliability" / "servers.py"
    spec = importlib.util.spec_from_file_location("servers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["servers"] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class SecureServer:
    """The running server and the folders an attack must leave untouched."""

    url: str
    data_dir: Path
    upload_dir: Path
    log: Path

    def get(
        self, path: str, *, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> tuple[int, dict, bytes]:
        """A GET that returns (status, headers, body) whatever the status."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def healthy(self) -> bool:
        status, _, body = self.get("/healthz", timeout=15)
        return status == 200 and json.loads(body)["status"] == "ok"

    def files_containing(self, secret: bytes) -> list[Path]:
        """Every file the server wrote (data folder, upload folder; not symlinks) that holds `secret`."""
        found = []
        for folder in (self.data_dir, self.upload_dir):
            for path in folder.rglob("*") if folder.exists() else ():
                if path.is_file() and not path.is_symlink() and secret in path.read_bytes():
                    found.append(path)
        return found

    def user_errors(self) -> list[str]:
        """The messages the server has shown people as warnings so far (from its JSON log)."""
        errors = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"user-facing error"' in line:
                errors.append(json.loads(line).get("error", ""))
        return errors

    def upload_files(self) -> set[Path]:
        return {p for p in self.upload_dir.rglob("*") if p.is_file()} if self.upload_dir.exists() else set()


def _knowledge(root: Path) -> Path:
    kb = root / "kb"
    for name in KB_FILES:
        target = kb / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / "datasets" / "knowledge_base" / name, target)
    return kb


def _plant_stale_upload(upload_dir: Path) -> Path:
    """A file left in the upload folder by an earlier run, two days old."""
    stale = upload_dir / ("0" * 8) / STALE_NAME
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("left over from an earlier run")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    return stale


def _wait_healthy(server: SecureServer) -> None:
    """/healthz answers before the embedding model is loaded; wait until every component is up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.healthy():
        if time.monotonic() > deadline:
            raise RuntimeError(f"server not healthy:\n{server.log.read_text()[-3000:]}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureServer]:
    servers = _servers()
    root = tmp_path_factory.mktemp("secure-server")
    upload_dir = root / "gradio-uploads"
    _plant_stale_upload(upload_dir)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORT_")}
    env.update(
        {
            "SUPPORT_DATA_DIR": str(root / "data"),
            "SUPPORT_KNOWLEDGE_DIR": str(_knowledge(root)),
            "SUPPORT_STAFF_USERNAME": STAFF[0],
            "SUPPORT_STAFF_PASSWORD": STAFF[1],
            "SUPPORT_ENVIRONMENT": "test",
            "SUPPORT_LOG_FORMAT": "json",
            "SUPPORT_MAX_ATTACHMENT_BYTES": str(MAX_FILE_BYTES),
            "SUPPORT_UPLOAD_QUOTA_BYTES_PER_HOUR": str(UPLOAD_QUOTA_BYTES),
            "SUPPORT_UPLOAD_CACHE_SWEEP_S": "1",
            "SUPPORT_RATE_LIMIT_PER_MINUTE": "1000",
            "GRADIO_TEMP_DIR": str(upload_dir),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONPATH": str(REPO_ROOT),
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        }
    )
    server = servers.app_server(env, root, name="secure")
    server.health_path = "/healthz"
    server.start(timeout_s=START_TIMEOUT_S)
    try:
        _wait_healthy(SecureServer(server.url, root / "data", upload_dir, server.log))
        yield SecureServer(server.url, root / "data", upload_dir, server.log)
    finally:
        _stop(server)


def _stop(server, grace_s: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace_s`: uvicorn's graceful shutdown would otherwise wait for
    gradio_client's heartbeat stream, which notices a close only at its next beat (~15 s)."""
    if server.process is None or server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        server.stop(signal.SIGKILL)


@pytest.fixture(scope="session")
def api(secure_server: SecureServer) -> dict:
    """The server's endpoints as `view_api(all_endpoints=True)` lists them, by api name."""
    from gradio_http import endpoints

    return endpoints(secure_server.url)
