"""The app in a real browser against a real server: what a customer and a member of staff see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ANSWER_TIMEOUT_MS = 90_000


def _expect():
    from playwright.sync_api import expect

    return expect


def ask(page, text: str) -> None:
    """Type a message, send it, and wait until the answer has finished streaming."""
    page.locator("#chat-input textarea").fill(text)
    page.keyboard.press("Enter")
    _expect()(page.locator("#chatbot")).to_contain_text(text, timeout=10_000)
    _expect()(page.locator("#chat-input textarea")).to_be_editable(timeout=ANSWER_TIMEOUT_MS)
    _expect()(page.locator("#chatbot")).to_contain_text(
        re.compile(r"\[\d\]|Sources|ticket|agent"), timeout=ANSWER_TIMEOUT_MS
    )


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def fill(page, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id}").locator("input, textarea").first.fill(text)


def sign_in_as_staff(page, staff: tuple[str, str]) -> None:
    """Sign in on the staff tab: the one staff sign-in, which also unlocks knowledge and evaluation."""
    open_tab(page, "Staff sign-in")
    fill(page, "staff-username", staff[0])
    fill(page, "staff-password", staff[1])
    page.locator("#staff-sign-in").click()
    _expect()(page.locator("#console-panel")).to_be_visible()


def make_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0,
        8,
        "Kestrel Pet Cover\n\nThe excess for every Kestrel Pet Cover claim is 75 euros. "
        "Pet Cover claims are paid within 10 working days of approval.",
    )
    pdf.output(str(path))
    return path


def test_first_visit_and_a_cited_answer(new_page, screenshots: Path):
    page = new_page()
    page.screenshot(path=str(screenshots / "01-first-visit.png"))
    ask(page, "How do I reset my password?")
    chat = page.locator("#chatbot")
    _expect()(chat).to_contain_text("search_knowledge_base")
    _expect()(chat).to_contain_text(re.compile(r"\[1\]"))
    chat.get_by_text(re.compile(r"Sources \(\d+\)")).click()
    _expect()(chat.get_by_text("reset-password.md").first).to_be_visible()
    page.screenshot(path=str(screenshots / "02-cited-answer-with-sources.png"), full_page=True)


def test_uploaded_pdf_answers_a_question(new_page, screenshots: Path, tmp_path: Path, staff):
    page = new_page()
    sign_in_as_staff(page, staff)
    open_tab(page, "Knowledge")
    _expect()(page.locator("#kb-admin-locked")).to_be_hidden()
    page.locator("#kb-files input[type=file]").set_input_files(str(make_pdf(tmp_path / "pet-cover.pdf")))
    page.locator("#kb-add").click()
    _expect()(page.locator("#kb-report")).to_contain_text("added 1", timeout=ANSWER_TIMEOUT_MS)
    _expect()(page.locator("#kb-documents")).to_contain_text("pet-cover")
    page.locator("#kb-query").locator("textarea, input").first.fill("pet cover excess")
    page.locator("#kb-search").click()
    for mode in ("dense", "bm25", "hybrid"):
        _expect()(page.locator(f"#kb-results-{mode}")).to_contain_text("Pet cover")
    page.screenshot(path=str(screenshots / "03-knowledge-upload-and-search.png"), full_page=True)
    open_tab(page, "Chat")
    ask(page, "What is the excess for a Kestrel Pet Cover claim?")
    chat = page.locator("#chatbot")
    _expect()(chat).to_contain_text("75 euros")
    chat.get_by_text(re.compile(r"Sources \(\d+\)")).click()
    _expect()(chat.get_by_text("pet-cover.pdf").first).to_be_visible()
    page.screenshot(path=str(screenshots / "04-answer-from-uploaded-pdf.png"), full_page=True)


def test_escalation_then_console_reply_reaches_the_customer(new_page, screenshots: Path, staff):
    customer = new_page()  # a fresh browser context: a new visitor with no conversations yet
    ask(customer, "My parcel is missing, I want to talk to a human agent please")
    banner = customer.locator("#escalation-banner")
    _expect()(banner).to_contain_text(re.compile(r"T-\d{6}"), timeout=ANSWER_TIMEOUT_MS)
    number = re.search(r"T-\d{6}", banner.inner_text()).group(0)
    customer.screenshot(path=str(screenshots / "05-escalated-ticket-banner.png"), full_page=True)

    credentials = staff
    staff = new_page()
    sign_in_as_staff(staff, credentials)
    _expect()(staff.locator("#queue")).to_contain_text(number)
    staff.locator("#ticket-picker").locator("input").first.click()
    staff.get_by_role("option", name=re.compile(number)).click()
    _expect()(staff.locator("#ticket-details")).to_contain_text(number)
    _expect()(staff.locator("#ticket-transcript")).to_contain_text("talk to a human")
    fill(staff, "ticket-reply", "Hi, this is Sam. I have opened an investigation with the carrier.")
    staff.locator("#ticket-send").click()
    _expect()(staff.locator("#ticket-transcript")).to_contain_text("investigation with the carrier")
    staff.screenshot(path=str(screenshots / "06-console-ticket-and-reply.png"), full_page=True)

    chat = customer.locator("#chatbot")
    _expect()(chat).to_contain_text("Support agent (human)", timeout=20_000)
    _expect()(chat.get_by_text("investigation with the carrier").first).to_be_visible()
    customer.screenshot(path=str(screenshots / "07-human-reply-in-chat.png"), full_page=True)


def test_a_reload_reopens_the_visitors_own_conversation_and_no_one_elses(new_page, screenshots: Path):
    visitor = new_page()
    _expect()(visitor.locator("#customer-id")).to_have_count(0)  # no free-text customer id any more
    ask(visitor, "How do I track my order?")
    visitor.reload()
    visitor.wait_for_selector("#chat-input textarea")
    _expect()(visitor.locator("#chatbot")).to_contain_text("How do I track my order?", timeout=20_000)
    visitor.screenshot(path=str(screenshots / "08-reload-resumes-own-conversation.png"), full_page=True)

    stranger = new_page()  # another browser: another visitor, who sees none of it (loaded: box open)
    _expect()(stranger.locator("#chatbot")).not_to_contain_text("track my order")


def test_staff_area_refuses_a_visitor_who_is_not_signed_in(new_page, screenshots: Path, staff):
    page = new_page()
    open_tab(page, "Knowledge")
    _expect()(page.locator("#kb-admin-locked")).to_contain_text("Staff only")
    _expect()(page.locator("#kb-add")).to_be_hidden()
    _expect()(page.locator("#kb-remove")).to_be_hidden()
    _expect()(page.locator("#kb-documents")).to_contain_text("reset-password")  # the list stays public
    _expect()(page.get_by_role("tab", name="Evaluation")).to_have_count(0)  # staff tabs stay hidden
    _expect()(page.get_by_role("tab", name="Hand-off console")).to_have_count(0)
    _expect()(page.locator("#eval-run")).to_be_hidden()
    open_tab(page, "Staff sign-in")
    _expect()(page.locator("#console-sign-in")).to_be_visible()
    _expect()(page.locator("#console-panel")).to_be_hidden()
    fill(page, "staff-username", staff[0])
    fill(page, "staff-password", "not the password")
    page.locator("#staff-sign-in").click()
    _expect()(page.get_by_text("Wrong username or password").first).to_be_visible()
    _expect()(page.locator("#console-panel")).to_be_hidden()
    assert "T-0" not in page.content()
    page.screenshot(path=str(screenshots / "08-console-refuses-visitor.png"), full_page=True)
    fill(page, "staff-password", staff[1])
    page.locator("#staff-sign-in").click()
    _expect()(page.locator("#console-panel")).to_be_visible()
    _expect()(page.get_by_text("Wrong username or password")).to_have_count(0)  # no lingering refusal
    _expect()(page.get_by_role("tab", name="Hand-off console")).to_be_visible()
    _expect()(page.get_by_role("tab", name="Evaluation")).to_be_visible()
