"""Finding 8's smaller items, each replayed against a real server the way the probe found it:
sign-in guessing, what the logs hold, unanswered messages after kill -9, URL settings printed by
`python -m app config`, broken Unicode, and chat turns serialised by Gradio's default limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from identity_servers import (
    REPO_ROOT,
    STAFF,
    SlowChatModel,
    app_server,
    bearer,
    gradio,
    integration,
    log_events,
    page_cookie,
    raw_gradio_join,
    standard_server,
    visitor_token,
)

from app.agent.desk import UNANSWERED_APOLOGY

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


def test_sign_in_backs_off_per_address_and_username_and_never_logs_what_was_typed(server) -> None:
    url = server.url
    attacker = staff_client(url, "10.8.0.1")
    started = time.monotonic()
    outcomes = [sign_in(attacker, TYPED_USER, TYPED_PASSWORD) for _ in range(30)]
    assert not any(outcomes)
    refused = events_named(server, "staff sign-in refused")
    throttled = events_named(server, "staff sign-in throttled")
    checked = [event for event in refused if event.get("ip") == "10.8.0.1"]
    # the probe managed 30 checked guesses in 4.7 s; now a few are checked, the rest wait
    assert len(checked) <= 3 + (time.monotonic() - started) // 1, len(checked)
    assert len([event for event in throttled if event.get("ip") == "10.8.0.1"]) >= 20

    assert not sign_in(attacker, *STAFF)  # even the right password waits out the back-off
    rotated = staff_client(url, "10.8.0.2")  # a new address, the same username: still throttled
    before = len(events_named(server, "staff sign-in throttled"))
    assert not sign_in(rotated, TYPED_USER, TYPED_PASSWORD)
    assert len(events_named(server, "staff sign-in throttled")) == before + 1
    assert sign_in(staff_client(url, "10.8.0.3"), *STAFF)  # others are not locked out

    deadline = time.monotonic() + 30  # the back-off ends: the attacker's address may try again
    while not sign_in(attacker, *STAFF):
        assert time.monotonic() < deadline, "the back-off never ended"
        time.sleep(1)
    written = server.log.read_text(errors="replace")
    assert TYPED_USER not in written and TYPED_PASSWORD not in written and STAFF[1] not in written


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
    written = server.log.read_text(errors="replace")
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


@pytest.fixture(scope="module")
def model():
    with SlowChatModel() as started:
        yield started


def slow_server(root, model: SlowChatModel, name: str, **overrides: str):
    return app_server(
        root,
        name,
        SUPPORT_CHAT_PROVIDER="openai",
        SUPPORT_OPENAI_BASE_URL=model.base_url,
        SUPPORT_OPENAI_API_KEY="sk-test-placeholder-key",
        **overrides,
    )


def test_chat_turns_run_side_by_side_and_a_killed_servers_questions_are_not_dropped(model, tmp_path) -> None:
    """Gradio's default concurrency_limit of 1 made the 10th user wait for nine turns; and after a
    kill -9 mid-reply the probe found 19 questions that were never answered or flagged."""
    first = slow_server(tmp_path, model, "first").start(timeout_s=240)
    try:
        url = first.url
        model.delay_s, model.peak = 1.0, 0
        visitors = [gradio(url, page_cookie(url)) for _ in range(8)]
        for number, visitor in enumerate(visitors):
            visitor.predict(
                {"text": f"How much is the Plus plan? ({number})", "files": []}, [], api_name="/submit"
            )
        jobs = [visitor.submit([], api_name="/stream") for visitor in visitors]
        answers = [str(job.result(timeout=120)) for job in jobs]
        assert all("From our help centre" in answer for answer in answers)
        assert model.peak >= 4, f"at most {model.peak} chat turn(s) ran at once"

        model.delay_s = 600  # the model hangs: the next questions are mid-turn when the server dies
        tokens = [visitor_token(url) for _ in range(3)]
        waiting = []
        for token in tokens:
            started = httpx.post(f"{url}/api/conversations", headers=bearer(token), timeout=60)
            waiting.append(started.json()["conversation_id"])
        received = model.received
        for token, conversation in zip(tokens, waiting, strict=True):
            threading.Thread(target=_send_quietly, args=(url, token, conversation), daemon=True).start()
        deadline = time.monotonic() + 60
        while model.received < received + 3:
            assert time.monotonic() < deadline, "the questions never reached the model"
            time.sleep(0.2)
    finally:
        first.stop(signal.SIGKILL)
    model.delay_s = 0

    second = slow_server(tmp_path, model, "second", SUPPORT_CHAT_TIMEOUT_S="1").start(timeout_s=240)
    try:
        for token, conversation in zip(tokens, waiting, strict=True):
            stored = _messages(second.url, token, conversation)
            assert [m["role"] for m in stored] == ["user", "assistant"], stored
            assert stored[-1]["content"] == UNANSWERED_APOLOGY
    finally:
        second.stop()


def _send_quietly(url: str, token: str, conversation: str) -> None:
    """A customer's question that will never be answered by this process (it gets killed)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(
            f"{url}/api/conversations/{conversation}/messages",
            headers=bearer(token),
            json={"text": "Is my refund on its way?"},
            timeout=120,
        )


def _messages(url: str, token: str, conversation: str) -> list[dict]:
    """The stored messages once the start-up sweep has answered the abandoned one (or after 45 s)."""
    deadline = time.monotonic() + 45
    while True:
        stored = httpx.get(
            f"{url}/api/conversations/{conversation}/messages", headers=bearer(token), timeout=60
        )
        messages = stored.json()["messages"]
        if (messages and messages[-1]["role"] == "assistant") or time.monotonic() > deadline:
            return messages
        time.sleep(1)
