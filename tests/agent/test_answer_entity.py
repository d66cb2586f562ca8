"""Replies composed from an entity's selected snippets (DSTC-style FAQs and review sentences).

The composition itself is pure text; opinions are read by the real VADER analyser, and the
responder test runs the real MiniLM embedder. No LLM is involved anywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.agent.providers.offline.answer_entity import (
    CLAUSE_FEATURES,
    CLAUSE_MODEL_PATH,
    QUOTE_MARGIN,
    ClauseModel,
    EntityAnswerer,
    answer_first,
    display_name,
    entity_snippets,
    faq_answer,
)
from app.agent.providers.offline.client import OfflineResponder, ToolStep, TurnView
from app.protocol import SEARCH_TOOL, Passage, cited_numbers, format_passages
from tests.agent.test_offline_client import MiniLM

# Clause models given by hand, so that the wording tests do not move when the learned one is refit:
# the first clause that names the aspect (else none), and never a quote.
ASPECT_FIRST = ClauseModel((1.0, 0, 0, 0, 0, 0, 0, 0, 0), -0.5)
NO_QUOTE = ClauseModel((0.0,) * 9, -1.0)


def review(
    number: int, entity: str, author: int, sentence: int, text: str, *, selected: bool = True
) -> Passage:
    doc_id = f"hotel:{entity[:3]}:review:{author}:{sentence}"
    return Passage(number, f"{doc_id}#0", doc_id, entity, "", text, 0.5, kind="review", selected=selected)


def faq(number: int, entity: str, doc_id: str, text: str) -> Passage:
    return Passage(number, f"{doc_id}#0", doc_id, entity, "", text, 0.5, kind="faq", selected=True)


def test_only_selected_faq_and_review_passages_are_entity_snippets() -> None:
    article = Passage(1, "billing/refunds#0", "billing/refunds", "Refunds", "", "Refunds take 5 days.", 0.9)
    unselected = review(2, "Acorn Guest House", 1, 0, "Lovely garden.", selected=False)
    assert entity_snippets([article, unselected]) == []
    chosen = review(3, "Acorn Guest House", 1, 1, "The garden was lovely.")
    snippets = entity_snippets([article, unselected, chosen, chosen])
    assert [(s.number, s.kind, s.author) for s in snippets] == [(3, "review", "hotel:Aco:review:1")]


@pytest.mark.parametrize(
    ("doc_id", "closing"),
    [
        ("hotel:7:review:1:0", "Would you like to book a room?"),
        ("restaurant:19:review:1:0", "Would you like to make a reservation?"),
        ("attraction:3:review:1:0", "Is there anything else you would like to know?"),
    ],
)
def test_a_reply_on_reviews_offers_the_next_step_and_an_faq_answer_does_not(
    doc_id: str, closing: str
) -> None:
    said = Passage(
        1, f"{doc_id}#0", doc_id, "Alpha", "", "The garden was lovely.", 0.5, kind="review", selected=True
    )
    reply = EntityAnswerer().reply(entity_snippets([said]), "Is the garden nice?")
    assert reply.endswith(f"[1]. {closing}")
    answer = faq(
        2, "Alpha", doc_id.replace("review:1:0", "faq:4"), "Is there a garden?\n\nYes, there is a garden."
    )
    assert (
        EntityAnswerer().reply(entity_snippets([answer]), "Is there a garden?")
        == "Yes, there is a garden [2]."
    )


def test_the_aspect_is_neither_the_entity_name_nor_a_function_word() -> None:
    answerer = EntityAnswerer()
    texts = ["The Nirala has lovely views when the sun goes down.", "Nice views at the Nirala."]
    assert answerer.aspect("How are the views at the Nirala?", texts, "The Nirala") == "views"
    assert answerer.aspect("What do guests say about the Nirala?", texts, "The Nirala") == ""
    assert answerer.aspect("When can we get in?", texts, "The Nirala") == ""  # "when" is in a text
    # an opinion word is never the aspect, even when it is the only word shared ("the nice at X")
    assert answerer.aspect("How nice is the decor at the Nirala?", ["A nice place."], "The Nirala") == ""
    # the name is left out by stem, however the question spells it
    hobsons = ["The view from the Hobsons House was breathtaking.", "Hobsons House has a great view."]
    assert answerer.aspect("How's the view from the Hobson's House?", hobsons, "Hobsons House") == "view"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("A AND B GUEST HOUSE", "A and B Guest House"),
        ("ALPHA-MILTON GUEST HOUSE", "Alpha-Milton Guest House"),
        ("THE CAMBRIDGE CHOP HOUSE", "The Cambridge Chop House"),
        ("Darry's Cookhouse and Wine Shop", "Darry's Cookhouse and Wine Shop"),  # as given: not all capitals
    ],
)
def test_a_name_stored_in_capitals_is_written_in_title_case(stored: str, shown: str) -> None:
    assert display_name(stored) == shown
    reply = EntityAnswerer().reply(
        entity_snippets([review(1, stored, 1, 0, "The view from the room was lovely.")]), "Is the view nice?"
    )
    assert shown in reply and (stored == shown or stored not in reply)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # DSTC11: question, blank line, answer
        (
            "Does Alpha Lodge allow pets?\n\nYes, pets are welcome for a small fee.",
            "Yes, pets are welcome for a small fee.",
        ),
        # DSTC9/10: title, blank line, body
        ("Is there free parking?\n\nYes, parking is\nfree for guests.", "Yes, parking is free for guests."),
        ("Breakfast is served from 7 to 10 am.", "Breakfast is served from 7 to 10 am."),
    ],
)
def test_an_faq_is_quoted_by_its_answer(text: str, answer: str) -> None:
    assert faq_answer(text) == answer


def test_mixed_reviews_quote_only_the_larger_side_and_cite_every_one() -> None:
    passages = [
        review(1, "Hobsons House", 9, 4, "The restrooms were spotless and lovely."),
        review(2, "Hobsons House", 6, 1, "Our bathroom was very clean and fresh."),
        review(3, "Hobsons House", 4, 2, "The bathroom was dirty and smelled awful."),
    ]
    reply = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages), "Are the bathrooms clean?")
    # the entity, the aspect asked about, the verdict (no yes or no: the guests disagree); the quote
    # is the pleased side's clause on the bathroom, never the displeased guest's ("dirty")
    assert reply == (
        'The reviews of the bathrooms at Hobsons House are mixed: most guests say "our bathroom was very'
        ' clean" [1][2][3]. Would you like to book a room?'
    )
    assert cited_numbers(reply) == [1, 2, 3]
    passages[1] = review(2, "Hobsons House", 6, 1, "Our room was very clean and fresh.")
    reply = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages), "Are the bathrooms clean?")
    # no pleased sentence says "bathroom": the model expects nothing from a quote, so none is made
    assert reply.startswith("The reviews of the bathrooms at Hobsons House are mixed [1][2][3].")


def test_a_unanimous_aspect_and_one_reviewer_with_two_sentences() -> None:
    passages = [
        review(4, "Acorn Guest House", 1, 0, "The view from our room was amazing."),
        review(5, "Acorn Guest House", 1, 3, "We loved watching the sunset from the window."),
        review(6, "Acorn Guest House", 2, 0, "Great views of the river."),
    ]
    reply = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages), "Do the rooms have a nice view?")
    assert reply.startswith(
        'Yes, the reviews of the view at Acorn Guest House are positive: guests say "the view from our room'
    )
    assert cited_numbers(reply) == [4, 5, 6]
    single = EntityAnswerer(ASPECT_FIRST).reply(
        entity_snippets(passages[2:]), "Do the rooms have a nice view?"
    )
    assert single == (
        'Yes, the reviews of the view at Acorn Guest House are positive: a guest says "great views of the'
        ' river" [6]. Would you like to book a room?'
    )


def test_guests_who_state_no_opinion_are_not_counted_as_agreeing() -> None:
    passages = [
        review(1, "Alpha Lodge", 1, 0, "We had breakfast at eight."),  # a plain fact: no verdict
        review(2, "Alpha Lodge", 2, 0, "Breakfast was served in the hall."),
        review(3, "Alpha Lodge", 3, 2, "The breakfast was wonderful."),
    ]
    # a model that also values a strong opinion quotes the pleased guest, though ranked last
    opinionated = ClauseModel((1.0, 0, 0, 0, 0, 0, 0, 0, 1.0), -0.5)
    reply = EntityAnswerer(opinionated).reply(entity_snippets(passages), "How is the breakfast?")
    expected = 'are positive: guests say "the breakfast was wonderful" [1][2][3].'
    assert reply.startswith(f"The reviews of the breakfast at Alpha Lodge {expected}")
    facts = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages[:2]), "When is breakfast?")
    assert facts.startswith(
        'The reviews at Alpha Lodge mention the breakfast: guests say "we had breakfast at eight" [1][2].'
    )
    # no word of the question in the sentences: the reviews are of the entity itself, nothing quoted
    other = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages[2:]), "Is it worth it?")
    assert other == "Yes, the reviews of Alpha Lodge are positive [3]. Would you like to book a room?"


def test_faqs_are_quoted_and_two_entities_each_get_their_clause() -> None:
    passages = [
        faq(
            1,
            "Alpha Lodge",
            "hotel:0:faq:1",
            "Is there parking at Alpha Lodge?\n\nFree parking is available on site.",
        ),
        faq(2, "Bright Inn", "hotel:1:faq:3", "Is there parking?\n\nNo, Bright Inn has no parking."),
        faq(
            3,
            "Bright Inn",
            "hotel:1:faq:4",
            "Is there a garage nearby?\n\nA public garage is 5 minutes away.",
        ),
        faq(4, "Bright Inn", "hotel:1:faq:5", "Can I park a van?\n\nVans cannot be parked."),
    ]
    reply = EntityAnswerer().reply(entity_snippets(passages))
    assert reply == (
        "Alpha Lodge: Yes, free parking is available on site [1]. Bright Inn: No, Bright Inn has no parking "
        "[2]. Yes, a public garage is 5 minutes away [3] [4]."
    )
    alone = EntityAnswerer().reply(entity_snippets(passages[:1]))
    assert alone == "Yes, free parking is available on site [1]."  # one entity: no name in front


def test_two_faqs_with_the_same_answer_are_quoted_once_with_both_citations() -> None:
    passages = [
        faq(1, "Chateau Tivoli", "hotel:2:faq:4", "Do you have wifi?\n\nWiFi is free at Chateau Tivoli."),
        faq(2, "Chateau Tivoli", "hotel:2:faq:7", "Does wifi cost extra?\n\nWiFi is free at Chateau Tivoli."),
    ]
    reply = EntityAnswerer().reply(entity_snippets(passages))
    assert reply == "Yes, WiFi is free at Chateau Tivoli [1][2]."
    third = faq(3, "Chateau Tivoli", "hotel:2:faq:9", "Is there parking?\n\nParking is 20 dollars a night.")
    reply = EntityAnswerer().reply(entity_snippets([*passages, third]))
    assert reply.endswith("parking is 20 dollars a night [3].")  # quoted: the twins took one place


def test_reviews_of_several_entities_give_each_its_verdict_only() -> None:
    passages = [
        review(1, "Alpha Lodge", 1, 0, "The view was great."),
        review(2, "Alpha Lodge", 2, 0, "A lovely view of the river."),
        review(3, "Bright Inn", 1, 0, "The view was awful."),
    ]
    reply = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages), "Which has a good view?")
    assert reply == (
        "The reviews of the view at Alpha Lodge are positive [1][2]. The reviews of the view at Bright Inn"
        " are negative [3]. Would you like to book a room?"
    )
    # one entity: its clause on the view is said too
    alone = EntityAnswerer(ASPECT_FIRST).reply(entity_snippets(passages[:2]), "Does it have a good view?")
    assert alone.startswith(
        'Yes, the reviews of the view at Alpha Lodge are positive: guests say "the view was great" [1][2].'
    )


@pytest.mark.parametrize(
    ("question", "texts", "opening"),
    [
        # the guests lean the way the question asks: yes; against it: no
        ("Is it a quiet place?", ["The place was lovely and quiet.", "A peaceful, quiet stay."], "Yes, the"),
        ("Is it noisy there?", ["The place was lovely and quiet.", "A peaceful, quiet stay."], "No, the"),
        ("Is the staff rude?", ["The staff were rude and unhelpful.", "Rude staff at the desk."], "Yes, the"),
        ("Is the staff nice?", ["The staff were rude and unhelpful.", "Rude staff at the desk."], "No, the"),
        # a question with no leaning: yes when the guests are pleased, nothing said when they are not
        ("Is there a garden?", ["The garden was beautiful.", "A lovely garden."], "Yes, the"),
        ("Are the rooms small?", ["The rooms were awful.", "Horrible cramped rooms."], "The reviews"),
        # the guests disagree, or it is not a yes/no question: no yes or no
        ("Is it a quiet place?", ["The place was lovely and quiet.", "Quiet? It was terribly loud."], "The"),
        ("How quiet is it?", ["The place was lovely and quiet.", "A peaceful, quiet stay."], "The reviews"),
    ],
)
def test_a_unanimous_verdict_answers_a_yes_no_question_first(
    question: str, texts: list[str], opening: str
) -> None:
    passages = [review(n, "Alpha Lodge", n, 0, text) for n, text in enumerate(texts, start=1)]
    reply = EntityAnswerer(NO_QUOTE).reply(entity_snippets(passages), question)
    assert reply.startswith(f"{opening} reviews" if opening.endswith("the") else opening)
    assert reply.startswith(("Yes", "No")) == opening.startswith(("Yes", "No"))


def test_clause_candidates_are_short_clauses_of_the_larger_side_only() -> None:
    passages = [
        review(1, "Alpha Lodge", 1, 0, "The view was stunning, and the staff were friendly and kind."),
        review(2, "Alpha Lodge", 2, 0, "The view of the car park was ugly and depressing."),
        review(3, "Alpha Lodge", 3, 0, "We looked at the view."),
    ]
    answerer = EntityAnswerer(ASPECT_FIRST)
    snippets = entity_snippets(passages)
    texts = {c.text: c.features for c in answerer.clause_candidates(snippets, "How is the view?", side=1)}
    # the pleased and the neutral sentences' clauses (3+ words) and whole sentences; nothing of the
    # displeased guest's; "kind" alone is too short to quote
    assert set(texts) == {
        "The view was stunning",
        "the staff were friendly",
        "The view was stunning, and the staff were friendly and kind",
        "We looked at the view",
    }
    assert all(len(f) == len(CLAUSE_FEATURES) for f in texts.values())
    assert texts["The view was stunning"][0] == 1.0  # names the aspect
    assert texts["the staff were friendly"][0] == 0.0
    negative = answerer.clause_candidates(snippets, "How is the view?", side=-1)
    assert {c.text for c in negative} >= {"The view of the car park was ugly and depressing"}
    assert not {c.text for c in negative} & set(texts) - {"We looked at the view"}
    # a clause expected to help by less than QUOTE_MARGIN is not worth its words
    candidates = answerer.clause_candidates(snippets, "How is the view?", side=1)
    assert EntityAnswerer(ClauseModel((0.0,) * 9, QUOTE_MARGIN / 2)).choose_clause(candidates) == ""
    assert EntityAnswerer(ClauseModel((0.0,) * 9, QUOTE_MARGIN * 2)).choose_clause(candidates)
    # "most guests say" claims the larger side: then only sentences that lean to it are quoted
    strict = answerer.clause_candidates(snippets, "How is the view?", side=1, strict=True)
    assert "We looked at the view" not in {c.text for c in strict}
    assert "The view was stunning" in {c.text for c in strict}


def test_the_clause_model_artifact_loads_and_a_stale_one_is_refused(tmp_path: Path) -> None:
    model = EntityAnswerer().clause_model  # the shipped artifact
    assert len(model.weights) == len(CLAUSE_FEATURES)
    stored = json.loads(CLAUSE_MODEL_PATH.read_text(encoding="utf-8"))
    # fitted on one half of the dialogues, it quotes better than no quote on the other half
    assert stored["rouge_l"]["checking"]["model"] > stored["rouge_l"]["checking"]["no quote"]
    stale = tmp_path / "clauses.json"
    stale.write_text(json.dumps({**stored, "features": ["words"]}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="refit"):
        ClauseModel.load(stale)
    with pytest.raises(RuntimeError, match="cannot read"):
        ClauseModel.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        ("Can I get a pet-friendly room?", "The Grant Hotel does not allow pets.", "No, the Grant Hotel"),
        ("Does it offer takeout?", "Franciscan Crab offers takeout.", "Yes, Franciscan Crab offers"),
        ("Is there WiFi?", "WiFi isn't available.", "No, WiFi isn't"),
        ("Is there WiFi?", "Yes, WiFi is free.", "Yes, WiFi is free."),  # already answered first
        ("What time is check-in?", "Check-in is at 3 pm.", "Check-in is at 3 pm."),  # not a yes/no question
    ],
)
def test_a_yes_no_question_is_answered_yes_or_no_first(question: str, answer: str, expected: str) -> None:
    assert answer_first(question, answer, "Grant Hotel Franciscan Crab").startswith(expected)


class Hit:
    """A search hit as the knowledge base returns it (format_passages reads these fields)."""

    def __init__(self, doc_id: str, title: str, text: str, kind: str, selected: bool) -> None:
        self.chunk_id, self.doc_id, self.title, self.section, self.text = (
            f"{doc_id}#0",
            doc_id,
            title,
            "",
            text,
        )
        self.score = 0.6
        self.metadata = {"doc_type": kind, "entity": title, **({"selected": True} if selected else {})}


@pytest.fixture(scope="module")
def responder() -> OfflineResponder:
    return OfflineResponder(MiniLM(), confidence=0.3)


def _answer(responder: OfflineResponder, question: str, hits: list[Hit]) -> str:
    result = format_passages(hits)
    view = TurnView(
        user_text=question,
        history=[("user", "I need a hotel in the north."), ("assistant", "How about Alpha Lodge?")],
        steps=[ToolStep(SEARCH_TOOL, {"query": question}, result, False)],
        available={SEARCH_TOOL},
    )
    return responder.step(view).text


def test_the_responder_cites_the_whole_selected_set(responder: OfflineResponder) -> None:
    hits = [
        Hit(
            "hotel:0:review:0:0",
            "Alpha Lodge",
            "The rooms at Alpha Lodge were spotless and very clean.",
            "review",
            True,
        ),
        Hit(
            "hotel:0:review:1:0",
            "Alpha Lodge",
            "My bathroom was clean and the staff were friendly.",
            "review",
            True,
        ),
        Hit("hotel:0:review:2:1", "Alpha Lodge", "Our room was clean and quiet.", "review", True),
        Hit("hotel:0:review:0:1", "Alpha Lodge", "Breakfast was a bit cold.", "review", False),
    ]
    reply = _answer(responder, "Are the rooms clean?", hits)
    assert cited_numbers(reply) == [1, 2, 3]
    assert reply.startswith("Yes, the reviews of the rooms at Alpha Lodge are positive")
    # whatever the learned model quotes is a guest's own words, from a selected sentence
    quoted = re.findall(r'"([^"]+)"', reply)
    selected = " ".join(hit.text.lower() for hit in hits[:3])
    assert all(quote.lower() in selected for quote in quoted)


def test_unselected_passages_keep_the_general_answer(responder: OfflineResponder) -> None:
    hits = [
        Hit(
            "hotel:0:review:0:0",
            "Alpha Lodge",
            "The rooms at Alpha Lodge were spotless and very clean.",
            "review",
            False,
        ),
        Hit(
            "hotel:0:review:1:0",
            "Alpha Lodge",
            "My bathroom was clean and the staff were friendly.",
            "review",
            False,
        ),
    ]
    reply = _answer(responder, "Are the rooms clean?", hits)
    assert "are positive" not in reply  # the extractive answerer's wording, not this module's
    assert cited_numbers(reply)


def test_an_faq_and_reviews_say_yes_or_no_once() -> None:
    passages = [
        faq(1, "Alpha Lodge", "hotel:0:faq:1", "Do you have a garden?\n\nAlpha Lodge has a garden."),
        review(2, "Alpha Lodge", 1, 0, "The garden was beautiful."),
        review(3, "Alpha Lodge", 2, 0, "A lovely garden to sit in."),
    ]
    reply = EntityAnswerer(NO_QUOTE).reply(entity_snippets(passages), "Is there a nice garden?")
    assert reply == (
        "Yes, Alpha Lodge has a garden [1]. The reviews of the garden at Alpha Lodge are positive [2][3]."
        " Would you like to book a room?"
    )
