"""What a first-time visitor of the demo does, in a real Chromium against a real server.

Rating an answer, errors that reach the person, the bot keeping quiet while a person handles the
ticket, sources a visitor can follow, and the first page's example questions. The server runs the
offline provider (no LLM exists here); everything else is real: Gradio, FastAPI, SQLite, Chroma.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from app.ui.intro import EXAMPLES
from eval.cli import main as eval_main
from eval.datasets.schema import load_jsonl
from tests.browser.test_app import ANSWER_TIMEOUT_MS, _expect, ask, sign_in_as_staff

pytestmark = pytest.mark.browser


def open_sources(page) -> None:
    """Unfold the latest answer's sources (folded at first, like every titled step); a re-render of
    the chat may fold them again, so unfold until they stay open."""
    chat = page.locator("#chatbot")
    link = chat.locator("a[href*='/help/']").last
    for _attempt in range(3):
        page.wait_for_timeout(1000)
        if link.count() and link.is_visible():
            return
        chat.get_by_text(re.compile(r"Sources \(\d+\)")).last.click()
    _expect()(link).to_be_visible()


def _feedback_rows(data_dir: Path) -> list[tuple[int, str, str]]:
    """(rating, role of the rated message, its text) for every stored rating, read with sqlite3."""
    with sqlite3.connect(data_dir / "support.db") as db:
        return db.execute(
            "SELECT f.rating, m.role, m.content FROM feedback f JOIN messages m ON m.id = f.message_id"
        ).fetchall()


def test_rating_an_answer_stores_the_feedback(new_page, live_server, screenshots: Path, tmp_path: Path):
    page = new_page()
    ask(page, "How do I reset my password?")
    before = len(_feedback_rows(live_server.data_dir))
    chat = page.locator("#chatbot")
    chat.get_by_role("button", name="Dislike", exact=True).last.click()
    _expect()(page.get_by_text("Thanks for your feedback").first).to_be_visible(timeout=10_000)
    _expect()(page.get_by_text("Only the agent's answers can be rated")).to_have_count(0)
    rows = _feedback_rows(live_server.data_dir)
    assert len(rows) == before + 1
    rating, role, content = rows[-1]
    assert (rating, role) == (-1, "assistant")
    assert "password" in content.lower()
    page.screenshot(path=str(screenshots / "10-rated-answer.png"), full_page=True)

    # the demo's failure becomes a regression case: import the running app's database
    output = tmp_path / "feedback.jsonl"
    assert eval_main(["import", f"feedback:{live_server.data_dir}", "--output", str(output)]) == 0
    imported = [d for d in load_jsonl(output) if "thumbs-down" in d.tags]
    assert any(d.turns[0].text == "How do I reset my password?" for d in imported)


def test_the_bot_keeps_quiet_while_a_person_handles_the_ticket(new_page, screenshots: Path, staff):
    customer = new_page()
    ask(customer, "My parcel is missing, I want to talk to a human agent please")
    banner = customer.locator("#escalation-banner")
    _expect()(banner).to_contain_text(re.compile(r"T-\d{6}"), timeout=ANSWER_TIMEOUT_MS)
    number = re.search(r"T-\d{6}", banner.inner_text()).group(0)

    credentials = staff
    staff_page = new_page()
    sign_in_as_staff(staff_page, credentials)
    staff_page.locator("#queue [role=gridcell]").filter(has_text=number).first.click()  # a row click opens it
    _expect()(staff_page.locator("#ticket-details")).to_contain_text(number)
    staff_page.locator("#ticket-assign").click()
    _expect()(staff_page.locator("#ticket-details")).to_contain_text("assigned")
    _expect()(banner).to_contain_text("A person is handling this", timeout=20_000)

    chat = customer.locator("#chatbot")
    answers_before = chat.get_by_text("search_knowledge_base").count()
    customer.locator("#chat-input textarea").fill("How do I reset my password?")
    customer.keyboard.press("Enter")
    _expect()(chat).to_contain_text("your message was passed to them", timeout=ANSWER_TIMEOUT_MS)
    assert chat.get_by_text("search_knowledge_base").count() == answers_before  # no bot answer
    customer.screenshot(path=str(screenshots / "11-person-handling.png"), full_page=True)
    staff_page.locator("#queue-refresh").click()
    _expect()(staff_page.locator("#ticket-transcript")).to_contain_text("reset my password", timeout=20_000)
    _expect()(staff_page.locator("#ticket-details")).to_contain_text("customer wrote")

    staff_page.locator("#ticket-hand-back").click()
    _expect()(chat).to_contain_text("handed this conversation back", timeout=20_000)
    ask(customer, "How do I reset my password?")
    _expect()(chat.get_by_text("search_knowledge_base")).to_have_count(answers_before + 1)


def _typed(page) -> str:
    return page.locator("#chat-input textarea").input_value()


def test_an_oversized_message_is_refused_in_the_chat_and_kept(new_page, screenshots: Path):
    page = new_page()
    text = "Please help. " + "My order has a problem. " * 220  # about 5,000 characters
    page.locator("#chat-input textarea").fill(text)
    page.keyboard.press("Enter")
    chat = page.locator("#chatbot")
    _expect()(chat).to_contain_text("Your message is too long", timeout=10_000)
    _expect()(chat).to_contain_text("at most 4000")
    assert _typed(page).strip() == text.strip()  # nothing typed is lost
    page.screenshot(path=str(screenshots / "12-oversized-message-refused.png"), full_page=True)


def test_the_chat_box_opens_only_once_the_page_load_has_restored_the_chat(browser, live_server):
    """A message sent while the load was still running was wiped by the load's empty chat (seen in
    CI as a vanished refusal); the box is shut until the load has answered, even a slow one."""
    context = browser.new_context()
    try:
        page = context.new_page()
        held: list = []
        page.route("**/queue/join*", lambda route: held.append(route))  # the load waits in the queue
        page.goto(live_server.url + "/")
        page.wait_for_selector("#chat-input textarea")
        page.wait_for_timeout(1000)
        assert held, "the page load never reached the queue"
        _expect()(page.locator("#chat-input textarea")).to_be_disabled()
        for route in held:
            route.continue_()
        page.unroute("**/queue/join*")
        _expect()(page.locator("#chat-input textarea")).to_be_enabled(timeout=20_000)
    finally:
        context.close()


def test_a_renamed_executable_is_refused_in_the_chat_and_the_text_kept(
    new_page, screenshots: Path, tmp_path: Path
):
    page = new_page()
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2048)  # a PE header
    page.locator("#chat-input input[type=file]").set_input_files(str(fake))
    thumbnail = page.locator("#chat-input").get_by_role("listitem", name="File thumbnail")
    _expect()(thumbnail).to_have_count(1, timeout=20_000)  # uploaded
    page.locator("#chat-input textarea").fill("Why was I charged twice on this invoice?")
    page.keyboard.press("Enter")
    chat = page.locator("#chatbot")
    _expect()(chat).to_contain_text("is not a valid PDF file", timeout=20_000)
    assert _typed(page) == "Why was I charged twice on this invoice?"
    page.screenshot(path=str(screenshots / "13-bad-file-refused.png"), full_page=True)


def test_sources_link_to_the_article_section_and_match_the_numbers(new_page, live_server, screenshots: Path):
    page = new_page()
    ask(page, "My parcel is late, how do I track my order and when is it declared missing?")
    chat = page.locator("#chatbot")
    open_sources(page)
    listed = int(re.search(r"Sources \((\d+)\)", chat.inner_text()).group(1))
    links = chat.locator("a[href*='/help/']")
    _expect()(links.first).to_be_visible()
    assert links.count() == listed
    answer = chat.locator(".message").filter(has_text=re.compile(r"\[\d\]")).first.inner_text()
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer)})
    assert cited == list(range(1, listed + 1))  # "[1]…[n]" under "Sources (n)"
    text = chat.inner_text()
    assert str(live_server.data_dir.parent) not in text and "/tmp/" not in text  # no server path
    page.screenshot(path=str(screenshots / "14-sources-with-links.png"), full_page=True)

    href = links.first.get_attribute("href")
    assert re.fullmatch(r"/help/[\w/%-]+(#[\w-]+)?", href)
    article = page.context.new_page()
    article.goto(live_server.url + href)
    _expect()(article.locator("h1")).to_be_visible()
    if "#" in href:
        # an attribute selector: a section slug may start with a digit ("2-wait-two-working-days"),
        # which is a valid HTML id but not a valid "#id" CSS selector
        anchor = href.split("#")[1]
        _expect()(article.locator(f':is(h2, h3, h4)[id="{anchor}"]')).to_be_visible()
    article.screenshot(path=str(screenshots / "15-help-article.png"), full_page=True)


def test_the_first_page_says_what_it_is_and_offers_example_questions(new_page, screenshots: Path):
    page = new_page()
    intro = page.locator("#intro")
    _expect()(intro).to_contain_text("Kestrel")
    _expect()(intro).to_contain_text("help centre")
    examples = page.locator(".example-question")
    _expect()(examples).to_have_count(len(EXAMPLES))
    _expect()(page.get_by_role("tab", name="Staff sign-in")).to_be_visible()
    _expect()(page.get_by_role("tab", name="Evaluation")).to_have_count(0)
    page.screenshot(path=str(screenshots / "00-first-page.png"), full_page=True)

    page.get_by_role("button", name=re.compile("Steps")).click()
    chat = page.locator("#chatbot")
    _expect()(chat).to_contain_text("How do I reset my password?", timeout=10_000)
    _expect()(chat).to_contain_text(re.compile(r"\[1\]"), timeout=ANSWER_TIMEOUT_MS)
    _expect()(page.locator("#chat-input textarea")).to_be_editable(timeout=ANSWER_TIMEOUT_MS)
    assert chat.locator("ol li").count() >= 2  # the steps example is answered with the numbered steps
    open_sources(page)
    page.screenshot(path=str(screenshots / "chat.png"))  # the README's picture (docs/images/chat.png)
