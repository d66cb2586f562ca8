"""The demo data (datasets/): the help centre, the labelled dialogues and the generated binaries.

These checks guard what the evaluation relies on: every line parses in the documented shape, labels are
coherent (an escalation turn expects escalate_to_human, a gold id names a real article), and the binary
files are exactly what the build scripts make from their text sources.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = REPO_ROOT / "datasets"
KB_DIR = DATASETS / "knowledge_base"
DIALOGUES_DIR = DATASETS / "dialogues"
SPLITS = ("dev", "test")
# dialogues written apart from dev and test (scripts/build_validation_dialogues.py and
# build_train_dialogues.py): same schema and checks, not part of the dev/test balance
WRITTEN_APART = {"validation": "build_validation_dialogues.py", "train": "build_train_dialogues.py"}
LABELLED_SETS = (*SPLITS, *WRITTEN_APART)
TOPICS = {"account", "billing", "orders", "returns", "troubleshooting", "security", "contact"}
TOOLS = {
    "search_knowledge_base",
    "remember_customer_fact",
    "recall_customer_facts",
    "read_attachment",
    "escalate_to_human",
    "get_ticket_status",
}
FACT_KEYS = {"order_number", "plan", "name", "email", "country", "device"}
KB_SUFFIXES = {".md", ".html", ".pdf", ".docx", ".csv"}
TURN_KEYS = {"text", "attachment", "labels"}
LABEL_KEYS = {
    "needs_knowledge",
    "gold_doc_ids",
    "gold_chunk_ids",
    "reference",
    "expected_tools",
    "expect_escalation",
}


def doc_id(path: Path) -> str:
    """The ingester's rule: the path relative to the knowledge base, without extension."""
    return path.relative_to(KB_DIR).with_suffix("").as_posix()


def kb_files() -> list[Path]:
    return sorted(p for p in KB_DIR.rglob("*") if p.is_file())


def load_split(name: str) -> list[dict[str, Any]]:
    lines = (DIALOGUES_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, Any]]]:
    return {name: load_split(name) for name in SPLITS}


@pytest.fixture(scope="module")
def dialogues(splits: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [d for name in LABELLED_SETS for d in splits.get(name) or load_split(name)]


@pytest.fixture(scope="module")
def turns(dialogues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for d in dialogues for t in d["turns"]]


# --- knowledge base ------------------------------------------------------------------------------


def test_knowledge_base_has_every_topic_and_enough_articles() -> None:
    files = kb_files()
    assert {p.relative_to(KB_DIR).parts[0] for p in files} == TOPICS
    assert all(len(p.relative_to(KB_DIR).parts) == 2 for p in files), "one level of topic folders"
    assert 60 <= len(files) <= 80
    assert {p.suffix for p in files} == KB_SUFFIXES, "mixed formats, and nothing else"


def test_doc_ids_are_unique_and_slug_shaped() -> None:
    ids = [doc_id(p) for p in kb_files()]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"two files map to the same doc id: {duplicates}"
    assert all(re.fullmatch(r"[a-z]+/[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), ids


@pytest.mark.parametrize("path", sorted(KB_DIR.rglob("*.md")), ids=doc_id)
def test_markdown_article_has_title_and_sensible_length(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), "each Markdown article starts with '# Title'"
    assert 150 <= len(text.split()) <= 600


@pytest.mark.parametrize("path", sorted(KB_DIR.rglob("*.html")), ids=doc_id)
def test_html_article_has_title_and_heading(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    title = re.search(r"<title>(.+?)</title>", text)
    heading = re.search(r"<h1>(.+?)</h1>", text)
    assert title and heading and title.group(1) == heading.group(1)


# --- dialogues: shape ----------------------------------------------------------------------------


def test_every_line_has_the_documented_shape(dialogues: list[dict[str, Any]]) -> None:
    for d in dialogues:
        assert set(d) == {"id", "customer", "tags", "context", "turns"}, d["id"]
        assert isinstance(d["id"], str) and isinstance(d["customer"], str)
        assert isinstance(d["tags"], list) and all(isinstance(t, str) for t in d["tags"])
        assert all(set(c) == {"role", "text"} and c["role"] in ("user", "assistant") for c in d["context"])
        assert d["turns"], d["id"]
        for turn in d["turns"]:
            _check_turn(d["id"], turn)


def _check_turn(dialogue_id: str, turn: dict[str, Any]) -> None:
    assert set(turn) == TURN_KEYS, dialogue_id
    assert isinstance(turn["text"], str) and turn["text"].strip(), dialogue_id
    assert turn["attachment"] is None or isinstance(turn["attachment"], str), dialogue_id
    labels = turn["labels"]
    assert set(labels) == LABEL_KEYS, dialogue_id
    assert isinstance(labels["needs_knowledge"], bool) and isinstance(labels["expect_escalation"], bool)
    assert isinstance(labels["reference"], str) and labels["reference"].strip(), dialogue_id
    for key in ("gold_doc_ids", "gold_chunk_ids"):
        assert isinstance(labels[key], list) and all(isinstance(i, str) for i in labels[key])
    for tool in labels["expected_tools"]:
        assert set(tool) == {"name", "arguments"} and isinstance(tool["arguments"], dict), dialogue_id
        assert tool["name"] in TOOLS, f"{dialogue_id}: unknown tool {tool['name']}"


def test_sizes_and_split_balance(
    splits: dict[str, list[dict[str, Any]]], turns: list[dict[str, Any]]
) -> None:
    total = sum(len(s) for s in splits.values())
    assert total >= 150
    assert len(turns) >= 400
    for records in splits.values():
        assert 0.4 <= len(records) / total <= 0.6


def test_ids_are_unique_across_splits(dialogues: list[dict[str, Any]]) -> None:
    ids = [d["id"] for d in dialogues]
    assert len(ids) == len(set(ids))


# --- dialogues: labels ---------------------------------------------------------------------------


def test_gold_doc_ids_exist_in_the_knowledge_base(turns: list[dict[str, Any]]) -> None:
    known = {doc_id(p) for p in kb_files()}
    missing = {g for t in turns for g in t["labels"]["gold_doc_ids"]} - known
    assert not missing


def test_attachments_exist_next_to_the_jsonl(turns: list[dict[str, Any]]) -> None:
    paths = [t["attachment"] for t in turns if t["attachment"]]
    assert paths
    for relative in paths:
        assert (DIALOGUES_DIR / relative).is_file(), relative


def test_labels_are_coherent(turns: list[dict[str, Any]]) -> None:
    for turn in turns:
        labels = turn["labels"]
        names = [tool["name"] for tool in labels["expected_tools"]]
        assert labels["expect_escalation"] == ("escalate_to_human" in names), turn["text"]
        assert (turn["attachment"] is not None) == ("read_attachment" in names), turn["text"]
        if labels["gold_doc_ids"]:
            assert labels["needs_knowledge"] and "search_knowledge_base" in names, turn["text"]
        if not labels["needs_knowledge"]:
            assert not labels["gold_doc_ids"], turn["text"]
        if labels["needs_knowledge"] and not labels["gold_doc_ids"]:
            assert names == ["search_knowledge_base"], (
                f"unanswerable turns search and decline: {turn['text']}"
            )


def test_remembered_fact_keys_are_known_snake_case(turns: list[dict[str, Any]]) -> None:
    keys = [
        tool["arguments"].get("key")
        for turn in turns
        for tool in turn["labels"]["expected_tools"]
        if tool["name"] == "remember_customer_fact"
    ]
    assert keys and set(keys) <= FACT_KEYS


def test_every_kind_of_turn_is_represented(
    dialogues: list[dict[str, Any]], turns: list[dict[str, Any]]
) -> None:
    def count(predicate: Any) -> int:
        return sum(1 for t in turns if predicate(t["labels"], t))

    def tools(labels: dict[str, Any]) -> set[str]:
        return {tool["name"] for tool in labels["expected_tools"]}

    assert count(lambda labels, _: not labels["needs_knowledge"] and not labels["expected_tools"]) >= 40
    assert count(lambda labels, _: labels["needs_knowledge"] and not labels["gold_doc_ids"]) >= 10
    assert count(lambda labels, _: labels["expect_escalation"]) >= 20
    assert count(lambda labels, _: "remember_customer_fact" in tools(labels)) >= 20
    assert count(lambda labels, _: "read_attachment" in tools(labels)) >= 10
    assert count(lambda labels, _: "get_ticket_status" in tools(labels)) >= 3
    assert count(lambda labels, _: "recall_customer_facts" in tools(labels)) >= 3
    assert sum(len(d["turns"]) > 1 for d in dialogues) >= 75
    assert sum(bool(d["context"]) for d in dialogues) >= 8
    injections = [t for d in dialogues if "injection" in d["tags"] for t in d["turns"]]
    assert len(injections) >= 6
    assert not any(t["labels"]["expect_escalation"] for t in injections)


def test_attachments_with_injections_are_in_the_dataset() -> None:
    markers = ("ignore all previous instructions", "system message for the support bot")
    texts = [
        p.read_text(encoding="utf-8").lower() for p in (DATASETS / "sources" / "attachments").glob("*.md")
    ]
    assert sum(any(m in text for m in markers) for text in texts) == 2


# --- generated files -----------------------------------------------------------------------------


def _run(script: str, out: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / script), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )


def test_binaries_regenerate_byte_identical(tmp_path: Path) -> None:
    _run("build_demo_binaries.py", tmp_path)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(built) == 11
    for relative in built:
        assert (tmp_path / relative).read_bytes() == (DATASETS / relative).read_bytes(), relative


def test_dialogues_regenerate_byte_identical(tmp_path: Path) -> None:
    _run("build_demo_dialogues.py", tmp_path)
    for name in SPLITS:
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (DIALOGUES_DIR / f"{name}.jsonl").read_bytes()


@pytest.mark.parametrize(("name", "script"), WRITTEN_APART.items())
def test_written_apart_dialogues_regenerate_byte_identical(name: str, script: str, tmp_path: Path) -> None:
    _run(script, tmp_path)
    built = (tmp_path / f"{name}.jsonl").read_bytes()
    assert built == (DIALOGUES_DIR / f"{name}.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("relative", "phrase"),
    [
        ("knowledge_base/billing/club-terms.pdf", "more than 10 returns in 90 days"),
        ("knowledge_base/troubleshooting/beacon-quick-start.pdf", "Bluetooth 5.3"),
        ("knowledge_base/returns/warranty-claims.docx", "claim reference starting with W-"),
        ("knowledge_base/contact/service-levels.docx", "closed on 25 December"),
        ("knowledge_base/billing/price-list.csv", "Beacon Max speaker, black"),
        ("dialogues/attachments/invoice-KE-4417302.pdf", "KE-4417302"),
        ("dialogues/attachments/screenshot-app-error.docx", "K-402"),
    ],
)
def test_binaries_are_readable_by_the_loader(relative: str, phrase: str) -> None:
    from markitdown import MarkItDown

    text = MarkItDown().convert(str(DATASETS / relative)).text_content
    assert phrase in " ".join(text.split())
