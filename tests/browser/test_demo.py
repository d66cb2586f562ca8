"""What a first-time visitor of the demo does, in a real Chromium against a real server.

Rating an answer, errors that reach the person, the bot keeping quiet while a person handles the
ticket, sources a visitor can follow, and the first page's example questions. The server runs the
offline provider (no LLM exists here); everything else is real: Gradio, FastAPI, SQLite, Chroma.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from eval.cli import main as eval_main
from eval.datasets.schema import load_jsonl
from tests.browser.test_app import _expect, ask

pytestmark = pytest.mark.browser


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
