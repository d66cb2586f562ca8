"""A real server (`python -m app serve` in a subprocess) and a real headless Chromium.

The server runs on a free port over a temporary data folder, with a three-document knowledge
base and staff credentials. Browser tests are skipped, with the reason, when Chromium or
Playwright is missing. Screenshots go to $UI_SCREENSHOT_DIR or test-output/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.probe import wait_healthy

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("UI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
]
KB_FILES = ("account/reset-password.md", "orders/track-your-order.md", "orders/missing-or-late-parcel.md")
STAFF = ("sam", "correct horse battery staple")
START_TIMEOUT_S = 180

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def staff() -> tuple[str, str]:
    """The console credentials the live server was started with."""
    return STAFF


@pytest.fixture(scope="session")
def screenshots() -> Path:
    # a relative folder is the repository's (the tests run in temporary working folders)
    folder = REPO_ROOT / Path(os.environ.get("UI_SCREENSHOT_DIR") or "test-output/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`python -m app serve` on a free port; the demo KB is ingested by serve() on start."""
    yield from serve_knowledge(tmp_path_factory.mktemp("server"), KB_FILES)


def serve_knowledge(
    root: Path, kb_files: Sequence[str], extra_env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Run the app over a copy of some demo help-centre files until the generator is closed."""
    kb = root / "kb"
    for name in kb_files:
        target = kb / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / "datasets" / "knowledge_base" / name, target)
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORT_")}
    env.update(
        {
            "SUPPORT_DATA_DIR": str(root / "data"),
            "SUPPORT_KNOWLEDGE_DIR": str(kb),
            "SUPPORT_PORT": str(port),
            "SUPPORT_HOST": "127.0.0.1",
            "SUPPORT_STAFF_USERNAME": STAFF[0],
            "SUPPORT_STAFF_PASSWORD": STAFF[1],
            "SUPPORT_ENVIRONMENT": "test",
            "SUPPORT_LOG_FORMAT": "text",
            "PYTHONPATH": str(REPO_ROOT),
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "GRADIO_ANALYTICS_ENABLED": "False",
            **(extra_env or {}),
        }
    )
    log = root / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"], cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, process, START_TIMEOUT_S)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{log.read_text()[-3000:]}") from exc
        yield LiveServer(url, root / "data", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser():
    """Playwright's sync API marks an event loop as running in the main thread, and the mark
    outlives the browser; tests/conftest.py therefore runs the browser tests last."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set UI_CHROMIUM)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server: LiveServer):
    """Open the app in a fresh browser context (its own Gradio session); closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.wait_for_selector("#chat-input textarea:not([disabled])")  # the load has run
        return page

    yield open_page
    for context in contexts:
        context.close()
