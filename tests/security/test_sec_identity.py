"""Finding 2: customers have an identity the server issues, and nobody reaches another's data.

Each attack is replayed as the probe made it, against `python -m app serve`: raw HTTP to the JSON
API, and gradio_client calling the chat's Gradio endpoints directly with or without a cookie.
"""

from __future__ import annotations

import re

import httpx
import pytest
from gradio_client.exceptions import AppError
from identity_servers import (
    VISITOR_COOKIE,
    bearer,
    gradio,
    integration,
    metric,
    page_cookie,
    standard_server,
    visitor_token,
)

SECRET_TEXT = "my email is victim@example.com and my card ends in 4242"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    return standard_server(tmp_path_factory)


def start(url: str, headers: dict[str, str], body: dict | None = None) -> str:
    response = httpx.post(f"{url}/api/conversations", headers=headers, json=body, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"]


def send(url: str, conversation: str, headers: dict[str, str], text: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/conversations/{conversation}/messages", headers=headers, json={"text": text}, timeout=120
    )


def read(url: str, conversation: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{url}/api/conversations/{conversation}/messages", headers=headers, timeout=60)


def test_the_api_needs_a_credential_and_hides_other_customers_conversations(server) -> None:
    url = server.url
    owner = bearer(visitor_token(url))
    conversation = start(url, owner)
    assert send(url, conversation, owner, SECRET_TEXT).status_code == 200

    forged = "v1." + "0" * 32 + ".forged-signature"
    for headers in ({}, bearer(forged), bearer("not-a-token"), integration("c-1", key="wrong-key")):
        assert httpx.post(f"{url}/api/conversations", headers=headers, timeout=30).status_code == 401
        assert read(url, conversation, headers).status_code == 401
        assert send(url, conversation, headers, "Show me everything").status_code == 401

    stranger = bearer(visitor_token(url))
    assert read(url, conversation, stranger).status_code == 404
    assert send(url, conversation, stranger, "Hi, it's me").status_code == 404
    assert read(url, "0" * 32, stranger).status_code == 404  # the same answer as for a missing one
    assert read(url, conversation, integration("victim@example.com")).status_code == 404

    stored = read(url, conversation, owner).json()["messages"]
    assert [m["role"] for m in stored] == ["user", "assistant"]  # nothing was added by the others
    assert SECRET_TEXT in stored[0]["content"]


def test_memory_never_crosses_customers(server) -> None:
    """The probe's attack: a new conversation 'for alice' asked for alice's remembered facts."""
    url = server.url
    alice = integration("alice@example.com")
    first = start(url, alice, {"customer": "alice@example.com"})
    assert "10482" in send(url, first, alice, "My order number is 10482").json()["text"]
    later = start(url, alice)
    assert "10482" in send(url, later, alice, "What's my order number?").json()["text"]  # memory works

    visitor = bearer(visitor_token(url))
    refused = httpx.post(
        f"{url}/api/conversations", headers=visitor, json={"customer": "alice@example.com"}, timeout=30
    )
    assert refused.status_code == 403  # only a trusted integration may name a customer
    own = start(url, visitor)
    assert "10482" not in send(url, own, visitor, "What's my order number?").json()["text"]
    mallory = integration("mallory@example.com")
    other = start(url, mallory)
    assert "10482" not in send(url, other, mallory, "What's my order number?").json()["text"]
    reserved = httpx.post(f"{url}/api/conversations", headers=integration("visitor:abc"), timeout=30)
    assert reserved.status_code == 422  # integration ids never take a visitor's form


def test_the_chat_lists_and_opens_only_the_visitors_own_conversations(server) -> None:
    url = server.url
    victim_cookie = page_cookie(url)
    victim = gradio(url, victim_cookie)
    victim.predict({"text": SECRET_TEXT, "files": []}, [], api_name="/submit")
    victim.predict([], api_name="/stream")
    victim_picker, _, _ = victim.predict(api_name="/restore")
    victim_conversation = victim_picker["value"]
    assert re.fullmatch(r"[0-9a-f]{32}", victim_conversation)

    for attacker in (gradio(url, page_cookie(url)), gradio(url, None)):  # a fresh visitor, no cookie
        picker, chat, _ = attacker.predict(api_name="/restore")
        assert picker["choices"] == [] and chat == []
        try:  # Gradio may refuse the value itself; our handler refuses it in any case
            opened = str(attacker.predict(victim_conversation, api_name="/open_conversation"))
        except AppError as exc:
            opened = str(exc)
        # Gradio's refusal echoes the id the attacker sent (random hex, which may itself hold "4242")
        opened = opened.replace(victim_conversation, "<the id sent>")
        assert "4242" not in opened and "victim@example.com" not in opened
        attacker.predict({"text": "What did I tell you about my card?", "files": []}, [], api_name="/submit")
        reply = attacker.predict([], api_name="/stream")
        assert "4242" not in str(reply)

    again = gradio(url, victim_cookie)  # the victim reloads the page: their conversation comes back
    picker, chat, _ = again.predict(api_name="/restore")
    assert picker["value"] == victim_conversation and len(picker["choices"]) == 1
    assert SECRET_TEXT in str(chat)


def test_the_free_text_customer_id_is_gone_and_the_token_is_never_shown(server) -> None:
    url = server.url
    api = gradio(url, page_cookie(url)).view_api(all_endpoints=True, print_info=False, return_format="dict")
    names = [p["parameter_name"] for e in api["named_endpoints"].values() for p in e["parameters"]]
    assert not [name for name in names if "customer" in name.lower()]

    first = httpx.get(f"{url}/", timeout=30)
    set_cookie = first.headers["set-cookie"]
    token = first.cookies[VISITOR_COOKIE]
    assert "httponly" in set_cookie.lower() and "samesite=lax" in set_cookie.lower()
    assert re.fullmatch(r"v1\.[0-9a-f]{32}\.[A-Za-z0-9_-]{43}", token)
    visitor = token.split(".")[1]
    config = httpx.get(f"{url}/config", cookies={VISITOR_COOKIE: token}, timeout=30).text
    assert visitor not in first.text and visitor not in config
    assert token != page_cookie(url)  # every new visitor gets their own


def test_metrics_count_turns_and_escalations_made_through_the_api(server) -> None:
    url = server.url
    turns = metric(url, "support_chat_turns_total", outcome="answered")
    escalated = metric(url, "support_escalations_total")
    headers = bearer(visitor_token(url))
    conversation = start(url, headers)
    assert send(url, conversation, headers, "How much is the Plus plan?").status_code == 200
    handed_over = send(url, conversation, headers, "I want to speak to a real person please").json()
    assert handed_over["escalated"] and handed_over["ticket"]
    assert metric(url, "support_chat_turns_total", outcome="answered") == turns + 1
    assert metric(url, "support_escalations_total") == escalated + 1


def test_a_page_keeps_one_visitor_even_when_the_browser_drops_the_cookie(server) -> None:
    """An embedding iframe may refuse third-party cookies: the page still keeps one identity."""
    page = gradio(server.url, None)  # sends no cookie, ever
    page.predict(api_name="/restore")
    for question in ("How much is the Plus plan?", "And how do I reset my password?"):
        page.predict({"text": question, "files": []}, [], api_name="/submit")
        chat = str(page.predict([], api_name="/stream"))
    assert "How much is the Plus plan?" in chat and "reset my password" in chat  # one conversation
    picker, _, _ = page.predict(api_name="/restore")
    assert len(picker["choices"]) == 1
