"""The question memory: labelled questions whose articles search fuses with its own ranking.

Real MiniLM embeddings, real Chroma and BM25 over the small corpus; memory files written here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.errors import InputError
from app.knowledge.memory import QuestionMemory, read_memory

REPO = Path(__file__).resolve().parents[2]
# asked in other words than any article's: the refunds article only says "Refunds are issued within 5
# working days to the original payment method"
QUESTION = "the courier says it was delivered but I never got anything"


def write_memory(folder: Path, rows: list[dict[str, object]]) -> Path:
    path = folder / "memory.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def top_documents(kb, query: str, **kwargs) -> list[str]:
    return [hit.doc_id for hit in kb.search(query, k=3, unique_docs=True, **kwargs)]


def test_a_labelled_question_like_the_message_brings_its_article_first(make_kb, corpus_dir, tmp_path) -> None:
    labelled = [
        {"question": "courier marked my parcel delivered but nothing arrived", "doc_ids": ["billing/refunds"]}
    ]
    plain = make_kb(use_question_memory=False)
    plain.ingest_path(corpus_dir)
    assert top_documents(plain, QUESTION)[0] != "billing/refunds"

    remembering = make_kb(question_memory=write_memory(tmp_path, labelled))
    assert top_documents(remembering, QUESTION)[0] == "billing/refunds"
    # a message like no labelled question is ranked as before
    assert top_documents(remembering, "how do I reset my password") == top_documents(
        plain, "how do I reset my password"
    )


def test_a_short_follow_up_is_searched_without_the_memory(make_kb, corpus_dir, tmp_path) -> None:
    """ "and the plus plan?" means what the dialogue before it asks; alone it resembles other
    dialogues' follow-ups, whose articles answered other topics."""
    labelled = [{"question": "and the plus plan?", "doc_ids": ["billing/refunds"]}]
    plain = make_kb(use_question_memory=False)
    plain.ingest_path(corpus_dir)
    remembering = make_kb(question_memory=write_memory(tmp_path, labelled))
    earlier = ["how much is the premium plan"]
    follow_up = top_documents(remembering, "and the plus plan?", context=earlier, query_context=earlier)
    assert follow_up == top_documents(plain, "and the plus plan?", context=earlier, query_context=earlier)
    assert top_documents(remembering, "and the plus plan?")[0] == "billing/refunds"


def test_the_memory_names_no_article_the_filter_or_the_knowledge_base_leaves_out(
    make_kb, corpus_dir, tmp_path
) -> None:
    labelled = [
        {
            "question": "courier marked my parcel delivered but nothing arrived",
            "doc_ids": ["billing/refunds"],
        },
        {"question": "my parcel was marked delivered but never came", "doc_ids": ["help/not-in-this-corpus"]},
    ]
    plain = make_kb(use_question_memory=False)
    plain.ingest_path(corpus_dir)
    remembering = make_kb(question_memory=write_memory(tmp_path, labelled))
    account_only = {"category": "account"}
    assert top_documents(remembering, QUESTION, filters=account_only) == top_documents(
        plain, QUESTION, filters=account_only
    )
    assert "help/not-in-this-corpus" not in top_documents(remembering, QUESTION)


def test_only_labelled_questions_close_enough_vote(embedder) -> None:
    memory = QuestionMemory(
        [
            read_row("how long do refunds take", "billing/refunds"),
            read_row("what does the premium plan cost", "billing/plans"),
        ],
        embedder.embed_queries,
        min_similarity=0.5,
    )
    votes = memory.votes(embedder.embed_query("how many days until my refund arrives"))
    assert list(votes) == ["billing/refunds"] and 0 < votes["billing/refunds"] < 1
    assert memory.votes(embedder.embed_query("how long do refunds take")) == {
        "billing/refunds": pytest.approx(1.0)
    }
    assert memory.votes(embedder.embed_query("can I change my username")) == {}


def read_row(question: str, doc_id: str, answer: str = ""):
    from app.knowledge.memory import LabelledQuestion

    return LabelledQuestion(question, (doc_id,), answer)


def test_the_answers_of_close_labelled_questions_come_closest_first(embedder) -> None:
    memory = QuestionMemory(
        [
            read_row("how long do refunds take", "billing/refunds", "Within 5 working days."),
            read_row("when will I get my refund", "billing/refunds", ""),  # unlabelled answer: no hint
            read_row("how many days does a refund take to arrive", "billing/refunds", "Usually 3 days."),
            read_row("what does the premium plan cost", "billing/plans", "$20 a month."),
        ],
        embedder.embed_queries,
        min_similarity=0.5,
    )
    asked = embedder.embed_query("how long do refunds take")
    ours = {"billing/refunds", "billing/plans"}
    found = memory.answers(asked, min_similarity=0.6, limit=3, documents=ours)
    assert [answer for answer, _ in found] == ["Within 5 working days.", "Usually 3 days."]
    assert found[0][1] == pytest.approx(1.0) and 0 < found[1][1] < 1
    assert memory.answers(asked, min_similarity=0.6, limit=1, documents=ours) == [found[0]]
    # the answers about another knowledge base's articles say nothing about this one's sentences
    assert memory.answers(asked, min_similarity=0.6, limit=3, documents={"hotel/faq"}) == []
    assert memory.speaks_of(ours) and not memory.speaks_of({"hotel/faq"})


def test_a_message_closest_to_a_question_labelled_with_no_article_is_unanswered(tmp_path, embedder) -> None:
    """A row with no articles says the help centre does not answer that question; it votes for no
    article and gives no hint, and only a message closer to it than to any answered one, and close
    enough, is unanswered."""
    path = write_memory(
        tmp_path,
        [
            {"question": "how much do the headphones weigh", "doc_ids": [], "answer": "Not known."},
            {"question": "how long do refunds take", "doc_ids": ["billing/refunds"], "answer": "5 days."},
        ],
    )
    memory = QuestionMemory(read_memory(path), embedder.embed_queries, min_similarity=0.5)
    weight = embedder.embed_query("what is the weight of the headphones")
    assert memory.unanswered(weight, min_similarity=0.7)
    assert not memory.unanswered(weight, min_similarity=0.99)  # not close enough
    refunds = embedder.embed_query("how many days until my refund arrives")
    assert not memory.unanswered(refunds, min_similarity=0.5)  # closest to an answered question
    assert memory.votes(weight) == {}
    assert memory.answers(weight, min_similarity=0.5, limit=3, documents={"billing/refunds"}) == []
    answered_only = QuestionMemory(read_memory(path)[1:], embedder.embed_queries, min_similarity=0.5)
    assert not answered_only.unanswered(weight, min_similarity=0.0)
    # the unanswered question takes no neighbour's place from the answered ones
    assert [row.question for row, _ in memory.neighbours(weight, min_similarity=0.0)] == [
        "how long do refunds take"
    ]


def test_only_a_dialogues_opening_question_is_remembered_as_unanswered(tmp_path) -> None:
    """A later turn means what the turns before it asked; stored alone, its words would decline the
    same question about a product the help centre does answer for."""
    sys.path.insert(0, str(REPO / "scripts"))
    from build_question_memory import labelled_questions

    def turn(text: str, docs: list[str]) -> dict[str, object]:
        labels = {"needs_knowledge": True, "gold_doc_ids": docs, "reference": "Answer."}
        return {"text": text, "labels": labels}

    dialogues = [
        {"context": [], "turns": [turn("when is the next model out?", []), turn("and the price?", [])]},
        {"context": [], "turns": [turn("how long do refunds take", ["billing/refunds"])]},
    ]
    source = tmp_path / "train.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in dialogues), encoding="utf-8")
    rows = {row["question"]: row["doc_ids"] for row in labelled_questions(source)}
    assert rows == {"when is the next model out?": [], "how long do refunds take": ["billing/refunds"]}


def test_the_knowledge_base_reads_unanswered_questions_only_from_a_memory_of_its_own_articles(
    make_kb, corpus_dir, tmp_path
) -> None:
    unanswered = {"question": "how much do the headphones weigh", "doc_ids": []}
    ours = {"question": "courier marked my parcel delivered but nothing came", "doc_ids": ["billing/refunds"]}
    kb = make_kb(question_memory=write_memory(tmp_path, [unanswered, ours]))
    kb.ingest_path(corpus_dir)
    assert kb.known_unanswered("what is the weight of the headphones", min_similarity=0.7)
    assert not kb.known_unanswered("how do I reset my password", min_similarity=0.7)
    # another help centre's memory (no article of this knowledge base) says nothing about it
    other = {"question": "my parcel was marked delivered but never came", "doc_ids": ["hotel/faq"]}
    foreign = make_kb(question_memory=write_memory(tmp_path, [unanswered, other]))
    foreign.ingest_path(corpus_dir)
    assert not foreign.known_unanswered("what is the weight of the headphones", min_similarity=0.7)
    # nor is a memory of unanswered questions alone (it names no article of any help centre)
    alone = make_kb(question_memory=write_memory(tmp_path, [unanswered]))
    alone.ingest_path(corpus_dir)
    assert not alone.known_unanswered("what is the weight of the headphones", min_similarity=0.7)


def test_a_malformed_memory_names_its_line_and_a_missing_one_is_off(tmp_path, embedder) -> None:
    path = tmp_path / "memory.jsonl"
    path.write_text('{"question": "q", "doc_ids": ["a"]}\n{"question": "no articles"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"memory\.jsonl:2: expected"):
        read_memory(path)
    assert QuestionMemory.load(tmp_path / "absent.jsonl", embedder.embed_queries, min_similarity=0.5) is None
    assert QuestionMemory.load(None, embedder.embed_queries, min_similarity=0.5) is None


def test_the_shipped_memory_is_the_training_split_and_nothing_else() -> None:
    """The memory is rebuilt from datasets/dialogues/train.jsonl by one command; validation, dev and
    test questions never enter it, so they still measure retrieval on unseen questions."""
    sys.path.insert(0, str(REPO / "scripts"))
    from build_question_memory import OUTPUT, SOURCE, labelled_questions

    shipped = [json.loads(line) for line in OUTPUT.read_text(encoding="utf-8").splitlines() if line]
    assert shipped == labelled_questions(SOURCE)
    assert len(shipped) > 100
