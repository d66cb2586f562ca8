"""`python -m eval import feedback:…` over a real SQLite database written through the app's store."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.store import Store
from app.store.db import Database
from eval.cli import main
from eval.datasets.feedback import database_url, load_dialogues
from eval.datasets.schema import load_jsonl

SEARCH = {"name": "search_knowledge_base", "arguments": {"query": "reset password"}, "result": "[1] …"}
CITATION = {"number": 1, "chunk_id": "account/reset-password#0", "doc_id": "account/reset-password"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder whose support.db holds two rated answers, one 👍 and one 👎 later corrected by staff."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = Database(f"sqlite:///{folder / 'support.db'}")
    db.migrate()
    store = Store(db)
    customer = store.customers.get_or_create("visitor-1")
    good = store.conversations.create(customer.id).id
    store.messages.add(good, "user", "Hi there")
    store.messages.add(good, "assistant", "Hello! How can I help?")
    store.messages.add(good, "user", "How do I reset my password?")
    answer = store.messages.add(
        good,
        "assistant",
        "Use Forgot password on the sign-in page [1].",
        tool_calls=[SEARCH],
        citations=[CITATION],
    )
    store.feedback.add(answer.id, -1)
    store.feedback.add(answer.id, 1)  # changed their mind: the latest rating counts
    bad = store.conversations.create(customer.id).id
    store.messages.add(bad, "user", "Where is my parcel?")
    wrong = store.messages.add(bad, "assistant", "Bluetooth pairing takes two steps.")
    store.feedback.add(wrong.id, -1)
    store.messages.add(bad, "human_agent", "Your parcel left our depot yesterday.")
    store.close()
    return folder


def test_rated_answers_become_dialogues_with_what_is_known(data_dir: Path):
    dialogues = {d.id: d for d in load_dialogues(str(data_dir))}
    assert len(dialogues) == 2
    good = next(d for d in dialogues.values() if "thumbs-up" in d.tags)
    assert [(t.role, t.text) for t in good.context] == [
        ("user", "Hi there"),
        ("assistant", "Hello! How can I help?"),
    ]
    assert good.turns[0].text == "How do I reset my password?"
    labels = good.turns[0].labels
    assert labels.reference == "Use Forgot password on the sign-in page [1]."
    assert labels.gold_doc_ids == ["account/reset-password"]
    assert [t.name for t in labels.expected_tools] == ["search_knowledge_base"]
    assert (labels.needs_knowledge, labels.expect_escalation) == (True, False)

    bad = next(d for d in dialogues.values() if "thumbs-down" in d.tags)
    assert bad.context == [] and bad.turns[0].text == "Where is my parcel?"
    assert bad.turns[0].labels.reference == "Your parcel left our depot yesterday."  # the person's reply
    assert bad.turns[0].labels.needs_knowledge is None  # a 👎 claims nothing else


def test_the_command_writes_the_own_schema(data_dir: Path, tmp_path: Path, capsys):
    output = tmp_path / "feedback.jsonl"
    assert main(["import", f"feedback:{data_dir / 'support.db'}", "--output", str(output)]) == 0
    assert "wrote 2 rated answers" in capsys.readouterr().out
    assert {d.id for d in load_jsonl(output)} == {d.id for d in load_dialogues(str(data_dir))}


def test_a_missing_database_is_a_clear_error(tmp_path: Path, capsys):
    with pytest.raises(InputError, match="no database"):
        database_url(str(tmp_path / "nowhere"))
    assert main(["import", f"feedback:{tmp_path / 'nowhere'}", "--output", str(tmp_path / "x.jsonl")]) == 2
    assert "no database" in capsys.readouterr().err
