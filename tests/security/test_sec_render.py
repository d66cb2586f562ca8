"""Finding 5 (Markdown injection) and "absolute server paths in document lists and citations".

`![x](http://host/p.png)` in a customer message, a ticket reason, a staff reply or an uploaded HTML
article made a browser fetch from an outside host. Every renderer of such text is run on hostile
payloads and its Markdown rendered with a real CommonMark parser: no image and no link may come
out. Against the real server: the page carries a Content-Security-Policy whose `img-src` is the
server itself, a hostile chat message comes back inert, and neither the document list nor an
answer's sources show a server path.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio_http import arguments, call
from markdown_it import MarkdownIt

from app.ui import render
from app.ui.console import ticket_details

HOST = "attacker.example"
PAYLOADS = [
    f"![x](http://{HOST}/p.png)",
    f"![x]( <http://{HOST}/p.png> )",
    f"[click here](https://{HOST}/login)",
    f"[a][r]\n\n[r]: http://{HOST}/ref",
    f"![a][img]\n\n[img]: http://{HOST}/pixel.gif",
    f"<img src=http://{HOST}/p.png>",
    f"<http://{HOST}/auto>",
    f"see https://{HOST}/bare and www.{HOST}",
    f"!\\[x\\](http://{HOST}/p.png) and [x]\\(http://{HOST}/y)",
]


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def _assert_inert(markdown: str) -> None:
    rendered = _html(markdown)
    assert "<img" not in rendered, rendered
    # the only links are the ones the app makes itself: a source to its help-centre article here
    links = re.findall(r"<a [^>]*>", rendered)
    assert all(re.fullmatch(r'<a href="/help/[^"]*">', link) for link in links), rendered
    assert "://" not in markdown  # a bare URL is not linkified either


def _ticket(text: str) -> SimpleNamespace:
    event = {"ts": "2026-01-01T00:00:00", "event": "reply", "by": text, "text": text}
    return SimpleNamespace(
        number=text,
        status="open",
        priority="normal",
        reason=text,
        assignee=text,
        summary=text,
        history=[event],
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_renderer_shows_images_and_links_as_text(payload: str) -> None:
    citation = {"number": 1, "chunk_id": "c1", "doc_id": "d", "title": payload, "source": payload}
    shown = [
        render.user_message(payload, [payload])["content"],
        render.human_agent_message(payload)["content"],
        render.system_message(payload)["content"],
        *(m["content"] for m in render.assistant_messages(payload, [], [citation], {"c1": payload})),
        render.tool_step("search", {}, payload)["content"].split("Result:")[1],
        render.escalation_banner(SimpleNamespace(number=payload, status=payload)),
        ticket_details(_ticket(payload)),
    ]
    for markdown in shown:
        _assert_inert(markdown)


def test_citation_markers_and_ordinary_text_still_read_the_same() -> None:
    text = "Plus costs $12 [1]. See *Billing* and [2]; (brackets) stay."
    assert render.inert(text) == text
    assert "[1]" in _html(render.inert(text))


def test_an_html_article_with_a_tracking_pixel_is_quoted_as_text(tmp_path: Path) -> None:
    """The document path: a staff-uploaded HTML article, read by the real loader (markitdown)."""
    from app.knowledge.loaders import load_file

    article = tmp_path / "returns.html"
    article.write_text(
        f"<html><body><h1>Returns</h1><p>Send it back within 30 days.</p>"
        f'<img src="http://{HOST}/pixel.gif"><a href="http://{HOST}/x">more</a></body></html>'
    )
    document = load_file(article, doc_id="returns")
    assert HOST in document.text  # markitdown turned the <img> into Markdown
    citation = {"number": 1, "chunk_id": "c1", "doc_id": "returns", "title": document.title, "source": ""}
    _assert_inert(render.citations_message([citation], {"c1": document.text})["content"])


# --- against the real server ------------------------------------------------------------------
def test_the_page_restricts_images_to_this_server(secure_server) -> None:
    status, headers, body = secure_server.get("/")
    policy = {k.lower(): v for k, v in headers.items()}["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert status == 200 and b"gradio" in body.lower()
    assert set(directives["img-src"]) <= {"'self'", "data:", "blob:"}
    status, headers, _ = secure_server.get("/gradio_api/info")
    assert "img-src 'self'" in {k.lower(): v for k, v in headers.items()}["content-security-policy"]


def test_a_hostile_chat_message_comes_back_inert(secure_server, api) -> None:
    submit = api["/submit"]
    text = f"Hi ![x](http://{HOST}/p.png) [login](https://{HOST}/login)"
    box = {"text": text, "files": []}

    result = call(secure_server.url, "/submit", arguments(submit, {"multimodaltextbox": box, "chatbot": []}))

    assert result.completed, result.text
    shown = result.outputs()[1][-1]["content"]
    markdown = shown if isinstance(shown, str) else "".join(part.get("text", "") for part in shown)
    assert HOST in markdown
    _assert_inert(markdown)


def test_no_server_path_in_the_document_list_or_an_answers_sources(secure_server, api) -> None:
    from gradio_client import Client

    server_root = str(secure_server.data_dir.parent)
    for page in ("/config", "/gradio_api/info"):
        status, _, body = secure_server.get(page)
        assert status == 200 and server_root.encode() not in body
    documents = call(secure_server.url, "/documents", [])
    assert documents.completed and "reset-password" in documents.text
    assert server_root not in documents.text and '"/' not in documents.text

    client = Client(secure_server.url + "/", verbose=False)  # one session: submit, then stream
    try:
        box = {"text": "How do I reset my password?", "files": []}
        submit = arguments(api["/submit"], {"multimodaltextbox": box, "chatbot": []})
        client.predict(*submit, api_name="/submit")
        answer = client.predict(*arguments(api["/stream"], {"chatbot": []}), api_name="/stream")
    finally:
        client.close()  # its heartbeat stream would hold the server's shutdown
    shown = str(answer)
    assert "Sources" in shown and "account/reset-password.md" in shown
    assert server_root not in shown


def test_the_json_api_returns_no_server_path(secure_server) -> None:
    import httpx

    started = httpx.post(f"{secure_server.url}/api/conversations", json={"customer": "c-paths"}, timeout=30)
    if started.status_code in (401, 403):
        pytest.skip("the JSON API needs a credential here; the Gradio path above covers citations")
    conversation = started.json()["conversation_id"]
    reply = httpx.post(
        f"{secure_server.url}/api/conversations/{conversation}/messages",
        json={"text": "How do I reset my password?"},
        timeout=60,
    )
    assert reply.status_code == 200
    sources = [citation["source"] for citation in reply.json()["citations"]]
    assert sources and all(not source.startswith("/") for source in sources)
    assert str(secure_server.data_dir.parent) not in reply.text


def test_public_source_never_shows_a_server_path() -> None:
    from app.knowledge.documents import public_source

    assert public_source("account/reset", "/srv/kb/account/reset.md") == "account/reset.md"
    assert public_source("faq", "C:\\kb\\faq.html") == "faq.html"
    assert public_source("t-1", "https://help.example.com/t-1") == "https://help.example.com/t-1"
    assert public_source("dstc", "dstc:hotels") == "dstc:hotels"
