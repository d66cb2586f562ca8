"""Finding 8's smaller items, each replayed against a real server the way the probe found it:
sign-in guessing, what the logs hold, URL settings printed by `python -m app config`, and broken
Unicode. (Unanswered messages after kill -9, the damaged store and Gradio's concurrency limit are
replayed on one server's life in test_sec_durability.py; /metrics in test_sec_identity.py.)
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from identity_servers import (
    REPO_ROOT,
    STAFF,
    bearer,
    gradio,
    integration,
    log_events,
    page_cookie,
    raw_gradio_join,
    standard_server,
    visitor_token,
)

TYPED_USER = "hunter2-typed-in-the-username-field"
TYPED_PASSWORD = "wrong-password-guess"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    return standard_server(tmp_path_factory)


def staff_client(url: str, address: str):
    """A script signing in from `address` (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""
    from gradio_client import Client

    return Client(
        url + "/",
        verbose=False,
        headers={"X-Forwarded-For": address},
        httpx_kwargs={"cookies": {"support_visitor": page_cookie(url)}, "timeout": 60},
    )


def sign_in(client, username: str, password: str) -> bool:
    return client.predict(username, password, "any", "any", api_name="/sign_in")[0].startswith("Signed in")


def events_named(server, name: str) -> list[dict]:
    return [event for event in log_events(server) if event.get("event") == name]


def checked_from(server, addresses: set[str]) -> int:
    """How many sign-in attempts from these addresses had their password checked (and refused)."""
    return len([e for e in events_named(server, "staff sign-in refused") if e.get("ip") in addresses])


def most_checks(seconds: float, free: int = 3) -> float:
    """The checks an exponential back-off (1 s, 2 s, 4 s, ... after `free` failures) allows."""
    return free + 1 + math.log2(1 + seconds)


def test_sign_in_backs_off_per_address_and_username_and_never_logs_what_was_typed(server) -> None:
    url = server.url
    attacker = staff_client(url, "10.8.0.1")
    started = time.monotonic()
    assert not any(sign_in(attacker, TYPED_USER, TYPED_PASSWORD) for _ in range(30))
    # the probe had 30 guesses checked in 4.7 s; now a few are checked and the rest must wait
    assert checked_from(server, {"10.8.0.1"}) <= most_checks(time.monotonic() - started)
    before = checked_from(server, {"10.8.0.1"})
    while checked_from(server, {"10.8.0.1"}) == before:  # guess until one more guess is checked ...
        assert not sign_in(attacker, TYPED_USER, TYPED_PASSWORD)
        time.sleep(0.2)
    assert not sign_in(attacker, *STAFF)  # ... then even the right password waits out the back-off

    rotating = [f"10.8.1.{number}" for number in range(10)]  # a new address for every guess
    started = time.monotonic()
    for address in rotating:
        assert not sign_in(staff_client(url, address), "another-typed-name", f"{TYPED_PASSWORD}-{address}")
    assert checked_from(server, set(rotating)) <= most_checks(time.monotonic() - started)
    assert sign_in(staff_client(url, "10.8.0.3"), *STAFF)  # nobody else is locked out

    deadline = time.monotonic() + 40  # the back-off ends: the attacker's address may try again
    while not sign_in(attacker, *STAFF):
        assert time.monotonic() < deadline, "the back-off never ended"
        time.sleep(1)
    written = server.log.read_text(errors="replace")
    for typed in (TYPED_USER, TYPED_PASSWORD, "another-typed-name", STAFF[1]):
        assert typed not in written


def test_customer_text_and_remembered_facts_are_not_logged_above_debug(server) -> None:
    url = server.url
    headers = bearer(visitor_token(url))
    conversation = httpx.post(f"{url}/api/conversations", headers=headers, timeout=60).json()[
        "conversation_id"
    ]
    for text in ("My order number is 55821", "Where is parcel zebra-quartz-917 please?"):
        reply = httpx.post(
            f"{url}/api/conversations/{conversation}/messages",
            headers=headers,
            json={"text": text},
            timeout=120,
        )
        assert reply.status_code == 200
    chat = gradio(url, page_cookie(url))
    chat.predict({"text": "My order number is 66342, where is it?", "files": []}, [], api_name="/submit")
    chat.predict([], api_name="/stream")
    events = log_events(server)
    assert any(event.get("event") == "turn answered" for event in events)
    # random hex ids (conversation, request) may hold any five digits: "...80bcf3382355821f"
    written = re.sub(r"\b[0-9a-f]{16,}\b", "<id>", server.log.read_text(errors="replace"))
    for secret in ("55821", "zebra-quartz-917", "66342"):
        assert secret not in written


def test_broken_unicode_is_refused_with_422_and_nothing_is_stored(server) -> None:
    url = server.url
    headers = bearer(visitor_token(url))
    conversation = httpx.post(f"{url}/api/conversations", headers=headers, timeout=60).json()[
        "conversation_id"
    ]
    json_headers = {**headers, "content-type": "application/json"}
    for body in (b'{"text": "hello \\ud800"}', b'{"text": "\\udfff"}', b'{"text": "\xed\xa0\x80"}'):
        sent = httpx.post(
            f"{url}/api/conversations/{conversation}/messages", content=body, headers=json_headers, timeout=60
        )
        assert sent.status_code == 422, sent.text
    named = httpx.post(
        f"{url}/api/conversations",
        content=b'{"customer": "alice\\ud800"}',
        headers={**integration("ignored"), "content-type": "application/json"},
        timeout=60,
    )
    assert named.status_code == 422, named.text
    for path in ("%ED%A0%80", "%F0%9F", "x%00y"):
        assert httpx.get(
            f"{url}/api/conversations/{path}/messages", headers=headers, timeout=60
        ).status_code in (
            404,
            422,
        )
    cookie = page_cookie(url)
    raw = b'[null, {"text": "broken \\ud800 text", "files": []}, []]'  # what gradio_client cannot even send
    refused = raw_gradio_join(url, "submit", raw, cookie)
    assert refused.status_code == 422 and "broken Unicode" in refused.text
    picker, chat, _ = gradio(url, cookie).predict(api_name="/restore")
    assert picker["choices"] == [] and chat == []  # no conversation was even started
    stored = httpx.get(f"{url}/api/conversations/{conversation}/messages", headers=headers, timeout=60)
    assert stored.status_code == 200 and stored.json()["messages"] == []
    assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200


def test_config_command_masks_every_url_shaped_setting(tmp_path) -> None:
    secrets = [f"SECRET{number}" for number in range(9)]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SUPPORT_") and key not in ("OPENAI_BASE_URL", "MLFLOW_TRACKING_URI")
    }
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "SUPPORT_DATA_DIR": str(tmp_path / "data"),
            "SUPPORT_OPENAI_BASE_URL": f"https://llm:{secrets[0]}@llm.example.com/v1?api_key={secrets[1]}&x=1",
            "SUPPORT_OTLP_ENDPOINT": f"https://otel:{secrets[2]}@otel.example.com:4318?token={secrets[3]}",
            "SUPPORT_JUDGE_BASE_URL": f"https://judge.example.com/v1?key={secrets[4]}&sig={secrets[5]}",
            "SUPPORT_OLLAMA_HOST": f"http://me:{secrets[6]}@ollama.internal:11434",
            "SUPPORT_AZURE_OPENAI_ENDPOINT": f"https://az.example.com/?code={secrets[7]}",
            "MLFLOW_TRACKING_URI": f"https://ml:{secrets[8]}@mlflow.example.com",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "app", "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    for secret in secrets:
        assert secret not in result.stdout + result.stderr
    assert shown["openai_base_url"] == "https://llm:********@llm.example.com/v1?api_key=********&x=1"
    assert shown["otlp_endpoint"] == "https://otel:********@otel.example.com:4318?token=********"
    assert shown["ollama_host"] == "http://me:********@ollama.internal:11434"
