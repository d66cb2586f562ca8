"""Per-turn answer scores: computed once in scoring, averaged into the run totals, written into
turns.jsonl rows, ranked in report.md's "worst answers" and carried by the MLflow turn table.

Hand-built turn records (no agent), the real ragas metrics, no embedder: the answer ranking then
falls back to ROUGE-L.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.events import ToolCallRecord, TurnResult
from eval.datasets.loader import load_dataset
from eval.datasets.schema import Dialogue, TurnLabels
from eval.replay import TurnRecord, told_texts
from eval.report import render_report, turn_quality, worst_answers, write_outputs
from eval.runner import EvaluationResult
from eval.scoring import score_records
from eval.tracking import turn_table

PLUS = "The Plus plan costs $12 per month."
DELIVERY = "Standard delivery takes 3 to 5 business days."
HANDOVER = "I've passed your conversation to a member of our team."
SEARCH = {"name": "search_knowledge_base", "arguments": {"query": "x"}}
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "tiny.jsonl"


def record(dialogue: str, response: str, *, reference: str, knowledge: bool, **extra: Any) -> TurnRecord:
    labels = TurnLabels(
        needs_knowledge=knowledge,
        gold_doc_ids=["billing/plans"] if knowledge else [],
        reference=reference,
        expected_tools=[{"name": "search_knowledge_base"}] if knowledge else [],
        expect_escalation=not knowledge,
    )
    return TurnRecord(dialogue, 0, f"question of {dialogue}", [], labels, response=response, **extra)


def records() -> list[TurnRecord]:
    return [
        # a knowledge turn answered well, after a search that found the gold passage
        record(
            "good",
            PLUS,
            reference=PLUS,
            knowledge=True,
            retrieved_doc_ids=["billing/plans"],
            retrieved_texts=[PLUS],
            selected_doc_ids=["billing/plans"],
            tool_calls=[SEARCH],
            searched=True,
        ),
        # a knowledge turn with every decision right but an answer unlike the reference
        record(
            "poor-answer",
            "Our office is closed on public holidays.",
            reference=DELIVERY,
            knowledge=True,
            retrieved_doc_ids=["billing/plans"],
            retrieved_texts=[PLUS],
            selected_doc_ids=["billing/plans"],
            tool_calls=[SEARCH],
            searched=True,
        ),
        # a small-talk/hand-over turn: its reference is not a knowledge answer
        record("handover", "Bananas are yellow.", reference=HANDOVER, knowledge=False, escalated=True),
    ]


@pytest.fixture
def scored(settings: Any) -> tuple[list[TurnRecord], dict[str, float]]:
    turns = records()
    metrics = score_records(
        turns, settings, reference_texts=lambda r: [PLUS] if r.labels.gold_doc_ids else []
    )
    return turns, metrics


def test_each_turn_carries_its_answer_scores_and_their_mean_is_the_total(
    scored: tuple[list[TurnRecord], dict[str, float]],
) -> None:
    turns, metrics = scored
    answer_totals = {name: value for name, value in metrics.items() if name.startswith("answers/")}
    assert {"answers/rouge_l", "answers/bleu", "answers/context_recall", "answers/tool_call_accuracy"} <= set(
        answer_totals
    )
    for name, total in answer_totals.items():
        values = [turn.scores[name] for turn in turns if name in turn.scores]
        assert values, name
        assert sum(values) / len(values) == pytest.approx(total, abs=1e-12), name
    good, poor, handover = turns
    assert good.scores["answers/rouge_l"] == 1.0 and poor.scores["answers/rouge_l"] < 0.3
    assert "answers/context_recall" not in handover.scores  # no gold passages on that turn
    assert json.loads(json.dumps(good.to_row()))["scores"]["answers/rouge_l"] == 1.0


def test_answer_scores_do_not_move_the_decision_ranking(
    scored: tuple[list[TurnRecord], dict[str, float]],
) -> None:
    _, poor, _ = scored[0]
    assert turn_quality(poor) == 1.0  # every decision right; the poor answer is ranked elsewhere


def test_report_lists_the_worst_answers_among_knowledge_turns(
    scored: tuple[list[TurnRecord], dict[str, float]],
) -> None:
    turns, metrics = scored
    assert [turn.dialogue_id for turn in worst_answers(turns, "answers/rouge_l")] == ["poor-answer", "good"]
    report = render_report(metrics, turns, title="t")
    section = report.split("## Worst answers by answers/rouge_l (of 2 knowledge turns)", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0] for row in rows] == ["| poor-answer", "| good"]
    assert DELIVERY in rows[0] and "answers/bleu=" in rows[0]
    assert "handover" not in section
    worst_turns = report.split("## Worst turns", 1)[1].split("## Worst answers", 1)[0]
    assert "answers/" not in worst_turns  # the decision table lists only decisions that failed
    by_bleu = render_report(metrics, turns, title="t", answer_metric="answers/bleu")
    assert "## Worst answers by answers/bleu (of 2 knowledge turns)" in by_bleu


def test_report_without_answer_scores_has_no_answer_section() -> None:
    turns = records()
    assert "## Worst answers" not in render_report({}, turns, title="t")
    assert "No knowledge turn has x/y." in render_report({}, turns, title="t", answer_metric="x/y")


def test_files_and_mlflow_table_carry_the_per_turn_answer_scores(
    scored: tuple[list[TurnRecord], dict[str, float]], settings: Any, tmp_path: Path
) -> None:
    turns, metrics = scored
    paths = write_outputs(tmp_path / "run", metrics, turns, title="t", details={})
    rows = [json.loads(line) for line in paths["turns"].read_text().splitlines()]
    assert [row["scores"].get("answers/rouge_l") for row in rows] == [
        turn.scores["answers/rouge_l"] for turn in turns
    ]
    assert "## Worst answers by answers/rouge_l" in paths["report"].read_text()
    dataset = load_dataset(str(TINY), settings=settings)
    table = turn_table(EvaluationResult(dataset, settings, metrics, turns))
    assert table["score/answers/rouge_l"] == [turn.scores["answers/rouge_l"] for turn in turns]
    assert table["score/answers/context_recall"][2] is None  # not applicable to that turn


def test_fact_scores_per_turn_totals_and_report(
    scored: tuple[list[TurnRecord], dict[str, float]], tmp_path: Path
) -> None:
    turns, metrics = scored
    good, poor, handover = turns
    assert good.scores["answers/fact_recall"] == 1.0  # "$12" stated, as in the reference
    assert good.scores["answers/fact_precision"] == 1.0
    assert poor.scores["answers/fact_recall"] == 0.0  # "3 to 5" missing
    assert "answers/fact_precision" not in poor.scores  # the reply states no number
    assert "answers/fact_recall" not in handover.scores  # its reference states no number
    assert [turn.scores["answers/reply_words"] for turn in turns] == [7.0, 7.0, 3.0]
    assert metrics["answers/fact_recall"] == 0.5
    assert metrics["replies/median_words"] == 7.0
    paths = write_outputs(tmp_path / "run", metrics, turns, title="t", details={})
    report = paths["report"].read_text()
    assert "| answers/fact_recall | 0.5 |" in report and "| replies/median_words | 7 |" in report
    rows = [json.loads(line) for line in paths["turns"].read_text().splitlines()]
    assert [row["scores"].get("answers/fact_recall") for row in rows] == [1.0, 0.0, None]
    assert all("cited_texts" not in row for row in rows)


def test_numbers_the_agent_was_told_are_no_made_up_facts(settings: Any) -> None:
    """A ticket number the escalation tool returned, or an order number the customer gave, is stated
    from what the agent was told: fact precision counts it as supported (it used to count as made up,
    and the ticket numbering then moved the metric from one database to the next)."""
    reply = "Your ticket number is T-000016 for order KE-4417302."
    told = ["my order KE-4417302 never came", "Ticket T-000016 opened (normal priority)."]
    turns = [
        record("told", reply, reference=HANDOVER, knowledge=False, told_texts=told),
        record("untold", reply, reference=HANDOVER, knowledge=False),
    ]
    score_records(turns, settings)
    assert turns[0].scores["answers/fact_precision"] == 1.0
    assert turns[1].scores["answers/fact_precision"] == 0.0
    assert "told_texts" not in turns[0].to_row()


def test_what_the_agent_was_told_is_the_customers_words_and_other_tools_results() -> None:
    dialogue = Dialogue.model_validate(
        {
            "id": "d",
            "context": [
                {"role": "user", "text": "I paid 4.99 twice"},
                {"role": "assistant", "text": "Sorry, 7 days"},
            ],
            "turns": [{"text": "order KE-1"}, {"text": "please refund one"}, {"text": "later"}],
        }
    )
    calls = [
        ToolCallRecord("search_knowledge_base", {"query": "refund"}, "[1] Refunds take 5 days", 1.0),
        ToolCallRecord("escalate_to_human", {"reason": "refund"}, "Ticket T-000003 opened", 1.0),
    ]
    result = TurnResult("c", 1, "Ticket T-000003 [1]", tool_calls=calls)
    assert told_texts(dialogue, 1, result) == [
        "I paid 4.99 twice",
        "order KE-1",
        "please refund one",
        "Ticket T-000003 opened",
    ]
