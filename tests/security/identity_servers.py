"""Real servers for the identity, rate-limit, durability and smaller security tests, and the ways
a client gets an identity from them, exactly as an attacker's script would.

Each server is `python -m app serve` on 127.0.0.1 (tests/reliability/servers.py starts and stops
it), over its own data folder and a three-document help centre, with staff credentials and an
integration API key configured. Clients get an identity the two ways the server hands one out:
`POST /api/session` (a bearer token) or a plain page load (the HttpOnly visitor cookie).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sec-integration-key-0123456789abcdef"
STAFF = ("sam", "correct horse battery staple")
VISITOR_COOKIE = "support_visitor"


def _reliability_module(name: str) -> ModuleType:
    """A helper module from tests/reliability (servers.py, corpus.py), imported by path once,
    under a name of its own (another tests/security helper may own a plain `servers`)."""
    alias = f"reliability_{name}"
    if alias in sys.modules:
        return sys.modules[alias]
    spec = importlib.util.spec_from_file_location(alias, REPO_ROOT / "tests" / "reliability" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


servers = _reliability_module("servers")
corpus = _reliability_module("corpus")


def server_env(root: Path, **overrides: str) -> dict[str, str]:
    """SUPPORT_* settings for a server over `root` (its data folder and help centre live there)."""
    env = {
        "SUPPORT_ENVIRONMENT": "test",
        "SUPPORT_DATA_DIR": str(root / "data"),
        "SUPPORT_KNOWLEDGE_DIR": str(corpus.write_corpus(root / "kb")),
        "SUPPORT_LOG_FORMAT": "json",
        "SUPPORT_LOG_LEVEL": "INFO",
        "SUPPORT_API_KEY": API_KEY,
        "SUPPORT_STAFF_USERNAME": STAFF[0],
        "SUPPORT_STAFF_PASSWORD": STAFF[1],
        "PYTHONPATH": str(REPO_ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    env.update(overrides)
    return env


def app_server(root: Path, name: str, **overrides: str) -> Any:
    """`python -m app serve` over `root`, not started yet (see `running`)."""
    root.mkdir(parents=True, exist_ok=True)
    clean = {key: "" for key in os.environ if key.startswith("SUPPORT_")}  # nothing from the developer
    return servers.app_server({**clean, **server_env(root, **overrides)}, root, name)


@contextlib.contextmanager
def running(*started: Any, timeout_s: float = 240.0) -> Iterator[tuple[Any, ...]]:
    with servers.running(*started, timeout_s=timeout_s) as ready:
        yield ready


def visitor_token(url: str) -> str:
    """A fresh visitor token, as a script gets one: POST /api/session."""
    response = httpx.post(f"{url}/api/session", timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def page_cookie(url: str) -> str:
    """The visitor cookie a browser receives on its first page load."""
    response = httpx.get(f"{url}/", timeout=30)
    assert response.status_code == 200
    return response.cookies[VISITOR_COOKIE]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def integration(customer: str, key: str = API_KEY) -> dict[str, str]:
    return {"X-API-Key": key, "X-Customer-Id": customer}


def gradio(url: str, token: str | None) -> Any:
    """A gradio_client session on the app carrying that visitor's cookie; with None, a client that
    sends no cookie at all (gradio_client would otherwise keep the one its first request got)."""
    from gradio_client import Client

    cookies = {VISITOR_COOKIE: token} if token else {}
    client = Client(url + "/", verbose=False, httpx_kwargs={"cookies": cookies, "timeout": 120})
    if token is None:
        client.cookies.clear()
    return client


def log_events(server: Any) -> list[dict[str, Any]]:
    """The server's JSON log lines (anything else the process printed is skipped)."""
    events = []
    for line in server.log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            if isinstance(event, dict):
                events.append(event)
    return events


def metric(url: str, name: str, **labels: str) -> float:
    """One sample of /metrics (0 when absent)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        text = response.read().decode()
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return 0.0


LIMITS = {  # small limits, so the limit tests reach them with a few dozen requests
    "SUPPORT_RATE_LIMIT_PER_MINUTE": "5",
    "SUPPORT_CLIENT_MESSAGES_PER_MINUTE": "30",
    "SUPPORT_IP_MESSAGES_PER_MINUTE": "20",
    "SUPPORT_CONVERSATIONS_PER_HOUR": "5",
    "SUPPORT_IP_CONVERSATIONS_PER_HOUR": "12",
    "SUPPORT_VISITOR_TOKENS_PER_HOUR": "100",
    "SUPPORT_LOG_LEVEL": "WARNING",
}
_SHARED: dict[str, Any] = {}


def _shared(name: str, tmp_path_factory: Any) -> Any:
    """The servers the security tests start from a fresh data folder, launched all at once on
    first use so they warm up side by side (start-up is mostly loading the embedding model), and
    stopped when the process exits (a test may stop or kill its own earlier)."""
    if not _SHARED:
        base = tmp_path_factory.getbasetemp()
        model = SlowChatModel().__enter__()
        atexit.register(model.__exit__, None, None, None)
        _SHARED["model"] = model
        _SHARED["standard"] = app_server(base / "sec-standard", "standard")
        _SHARED["limits"] = app_server(base / "sec-limits", "limits", **LIMITS)
        _SHARED["slow"] = slow_server(base / "sec-slow", model, "first")
        for server in _SHARED.values():
            if server is not model:
                server.launch()
                atexit.register(server.stop)
    found = _SHARED[name]
    if name != "model" and found.process is not None and found.process.poll() is None:
        found.wait_ready(timeout_s=300)
    return found


def standard_server(tmp_path_factory: Any) -> Any:
    """The server the identity and hygiene tests share: offline model, default limits."""
    return _shared("standard", tmp_path_factory)


def limits_server(tmp_path_factory: Any) -> Any:
    """The server with small rate limits (`LIMITS`)."""
    return _shared("limits", tmp_path_factory)


def slow_model(tmp_path_factory: Any) -> SlowChatModel:
    return _shared("model", tmp_path_factory)


def slow_model_server(tmp_path_factory: Any) -> Any:
    """A server over a data folder of its own whose chat model is `slow_model` (turns wait on it),
    for the tests that load it with concurrent turns, then kill, damage and restart it."""
    return _shared("slow", tmp_path_factory)


def slow_server(root: Path, model: SlowChatModel, name: str, **overrides: str) -> Any:
    """A server over `root` whose chat model is `model` (OpenAI-compatible, on 127.0.0.1)."""
    return app_server(
        root,
        name,
        SUPPORT_CHAT_PROVIDER="openai",
        SUPPORT_OPENAI_BASE_URL=model.base_url,
        SUPPORT_OPENAI_API_KEY="sk-test-placeholder-key",
        **overrides,
    )


def _fixture_module(name: str) -> ModuleType:
    """A module from tests/fixtures (the scripted Chat Completions server), imported by path once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "tests" / "fixtures" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class SlowChatModel:
    """The scripted Chat Completions model of tests/fixtures, taking `delay_s` per request, and
    counting how many requests it is answering at once (the most ever in `peak`).

    No real model exists here: this stands in for one, so that a turn waits on the model the way
    it does in production and concurrency and killed turns can be observed.
    """

    def __init__(self, delay_s: float = 0.0) -> None:
        scripted = _fixture_module("chat_completions_server")
        self.delay_s = delay_s
        self.active = 0
        self.peak = 0
        self.received = 0
        self._lock = threading.Lock()
        self._server = scripted.ChatCompletionsServer()
        base = self._server._httpd.RequestHandlerClass
        model = self

        class Slow(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                with model._lock:
                    model.active += 1
                    model.received += 1
                    model.peak = max(model.peak, model.active)
                try:
                    time.sleep(model.delay_s)
                    super().do_POST()
                except OSError:  # the app was killed while we waited
                    pass
                finally:
                    with model._lock:
                        model.active -= 1

        self._server._httpd.RequestHandlerClass = Slow
        self._server._httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def __enter__(self) -> SlowChatModel:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.delay_s = 0
        self._server.__exit__(*exc)


def raw_gradio_join(url: str, api_name: str, data: bytes, cookie: str) -> httpx.Response:
    """Join the queue for a Gradio event the way a hand-written script does, with the raw JSON
    `data` (a list, as bytes, so it may hold what no client library would encode)."""
    config = httpx.get(f"{url}/config", timeout=30).json()
    fn_index = next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == api_name)
    body = b'{"data": %s, "fn_index": %d, "session_hash": "%s"}' % (
        data,
        fn_index,
        uuid.uuid4().hex[:11].encode(),
    )
    return httpx.post(
        f"{url}/gradio_api/queue/join",
        content=body,
        headers={"content-type": "application/json"},
        cookies={VISITOR_COOKIE: cookie},
        timeout=60,
    )
