"""The reply states the asked fact when another unit of the chosen article carries it: what a signpost
announces, the whole of a short list two of whose steps were chosen, the note under a table, the
kind of fact an elliptical follow-up asks for, and a section headed by the asked kind and subject.

Real MiniLM embeddings where a whole selection runs; passages in the demo help centre's form."""

from __future__ import annotations

import numpy as np

from app.agent.providers.offline.answer import ExtractiveAnswerer, content_words, passage_units
from app.agent.providers.offline.answer_select import (
    elliptical,
    equally_named_rows,
    headed_answer,
    read_question,
    supporting,
    whole_list,
)
from app.agent.providers.offline.answer_signpost import VARIES, WAYS, announced, announces
from app.agent.providers.offline.answer_types import DURATION, STEPS
from tests.agent.test_answer_select import passage
from tests.agent.test_offline_client import MiniLM

METHODS = (
    "The payment methods you can use depend on your store region.\n\n## For orders\n\n"
    "| Method | UK | Germany | Netherlands |\n|---|---|---|---|\n"
    "| Visa, Mastercard | Yes | Yes | Yes |\n| American Express | Yes | No | No |\n"
    "| PayPal | Yes | Yes | Yes |\n| iDEAL | No | No | Yes |"
)
DROP_OFF = (
    "You can send the parcel back in three ways in the UK.\n\n## Post Office\n\nShow the QR code at the "
    "counter.\n\n## InPost locker\n\nScan the QR code at the locker.\n\n## Home collection\n\n"
    "DPD collects between 7am and 6pm."
)
DAMAGED = (
    "1. Take photos of the box and the damaged item.\n2. Report it within 48 hours of delivery.\n"
    "3. Keep the box until the case is closed."
)


def test_signposts_are_read_from_their_form() -> None:
    assert announces("The payment methods you can use depend on your store region.") == VARIES
    assert announces("Prices vary by country.") == VARIES
    assert announces("You can send the parcel back in three ways in the UK.") == WAYS
    assert announces("You can send it back in 3 ways.") == WAYS
    assert announces("Returns are free within 30 days.") == ""
    # it gives the answer itself
    assert announces("Prices vary by store: £4.99 in the UK.") == ""
    assert announces("You can pay in two ways: card or PayPal.") == ""
    assert announces("Delivery depends on your region and takes 3 days.") == ""


def test_a_depends_on_signpost_is_followed_by_the_customers_column(embedder: MiniLM) -> None:
    units = passage_units([passage(1, "Payment methods", "", METHODS)])
    answerer = ExtractiveAnswerer(embedder)
    question = "which payment methods can I use?"
    selection = answerer.select(question, units, remembered=["Netherlands"])
    texts = [unit.text for unit in selection.units]
    assert texts[0] == "The payment methods you can use depend on your store region."
    assert texts[1] == "Netherlands: Visa, Mastercard, PayPal, iDEAL"
    # nobody said where they are: the signpost stays as it is
    assert "Netherlands: Visa, Mastercard, PayPal, iDEAL" not in [
        u.text for u in answerer.select(question, units).units
    ]


def test_a_depends_on_signpost_gets_the_row_labelled_with_the_entity() -> None:
    prices = (
        "Prices depend on your store.\n\n| Store | Monthly |\n|---|---|\n| United Kingdom | £4.99 |\n"
        "| Ireland, Germany | €5.99 |"
    )
    units = passage_units([passage(1, "Plus", "Price", prices)])
    found = announced(units, units[0], frozenset(content_words("Germany")), content_words)
    assert [unit.text for unit in found] == ["Store: Ireland, Germany; Monthly: €5.99"]
    assert announced(units, units[0], frozenset(content_words("France")), content_words) == []


def test_a_column_or_row_named_by_a_country_s_short_name_is_that_country() -> None:
    """The customer's country is remembered by its full name ("United Kingdom"); the table may say "UK"."""
    units = passage_units([passage(1, "Payment methods", "", METHODS)])
    kingdom = frozenset(content_words("United Kingdom"))
    (column,) = announced(units, units[0], kingdom, content_words)
    assert column.text == "UK: Visa, Mastercard, American Express, PayPal"
    prices = "Prices depend on your store.\n\n| Store | Monthly |\n|---|---|\n| UK | £4.99 |\n| IE | €6 |"
    units = passage_units([passage(1, "Plus", "Price", prices)])
    assert [unit.text for unit in announced(units, units[0], kingdom, content_words)] == [
        "Store: UK; Monthly: £4.99"
    ]


def test_a_column_is_read_by_its_name_when_a_row_leaves_a_cell_empty() -> None:
    """A row as split leaves out its empty cells: its third pair is not the third column."""
    methods = (
        "The payment methods you can use depend on your store region.\n\n"
        "| Method | UK | Germany | Netherlands |\n|---|---|---|---|\n"
        "| Visa | Yes | Yes | Yes |\n| iDEAL | | No | Yes |\n| Giropay | | Yes | No |"
    )
    units = passage_units([passage(1, "Payment methods", "", methods)])
    (column,) = announced(units, units[0], frozenset(content_words("Netherlands")), content_words)
    assert column.text == "Netherlands: Visa, iDEAL"


def test_a_signpost_counting_ways_is_quoted_with_the_headings_that_follow() -> None:
    units = passage_units([passage(1, "Returning a parcel in the United Kingdom", "", DROP_OFF)])
    found = announced(units, units[0], frozenset(), content_words)
    assert [unit.text for unit in found] == [
        "You can send the parcel back in three ways in the UK: Post Office, InPost locker, Home collection."
    ]
    # fewer sections than it counts: nothing to list
    short = passage_units([passage(1, "Returns", "", DROP_OFF.split("## Home")[0])])
    assert announced(short, short[0], frozenset(), content_words) == []


def test_the_ways_are_listed_in_the_articles_order_whatever_order_its_passages_were_found_in() -> None:
    """Search returns an article's chunks by rank: its "Deadline" section came back before the
    sections the signpost counts and was listed as a way of sending a parcel back."""
    from dataclasses import replace as with_

    sections = ["Post Office", "InPost locker", "Home collection", "Deadline"]
    found = [passage(1, "Returning a parcel", "", "You can send the parcel back in three ways in the UK.")]
    chunks = {
        n + 1: f"## {name}\n\n{name} is described here in a few words." for n, name in enumerate(sections)
    }
    # found by rank: the opening chunk, then the deadline (chunk 4), then the others in order
    for position in (4, 1, 2, 3):
        found.append(with_(found[0], chunk_id=f"Returning a parcel#{position}", text=chunks[position]))
    units = passage_units(found)
    (listed,) = announced(units, units[0], frozenset(), content_words)
    assert listed.text.endswith("three ways in the UK: Post Office, InPost locker, Home collection.")


def test_two_chosen_steps_bring_their_short_list_whole_in_order() -> None:
    units = passage_units([passage(1, "My parcel arrived damaged", "If you find damage", DAMAGED)])
    scores = np.asarray([0.7, 0.4, 0.69])
    assert whole_list(units, [0, 2], scores) == [0, 1, 2]
    assert whole_list(units, [0], scores) == []  # one step is a sentence, not the list
    long = "\n".join(
        f"{n}. Step {n} says a good many words about what to do in this case." for n in range(1, 7)
    )
    long_units = passage_units([passage(1, "Setup", "Steps", long)])
    assert whole_list(long_units, [0, 3], np.zeros(6)) == []  # too long to quote whole


def test_the_note_under_a_table_supports_a_chosen_row_whatever_its_score() -> None:
    text = (
        "| Channel | Default |\n|---|---|\n| SMS offers | Off |\n| Email newsletter | Off |\n\n"
        "Changes can take up to 48 hours to apply. Old offers may still arrive for 7 days."
    )
    units = passage_units([passage(1, "Marketing preferences", "Where to change them", text)])
    asked = read_question("how do I stop the texts", "how do I stop the texts", content_words("stop texts"))
    scores = np.asarray([1.0, 0.5, 0.3, 0.3])
    added = supporting(units, [0], scores, asked, lambda i, j: False)
    assert [units[i].text for i in added] == ["Changes can take up to 48 hours to apply."]


def test_an_elliptical_follow_up_asks_for_the_kind_the_question_before_it_did() -> None:
    def kinds(focus: str, in_context: str) -> frozenset[str]:
        return elliptical(read_question(focus, in_context, content_words(in_context))).kind.kinds

    assert kinds("and express?", "how long does shipping take? and express?") == {DURATION}
    assert DURATION not in kinds("how much is express?", "how long does shipping take? how much is express?")
    assert kinds("what about the one I sent back last week then", "how long? what about ...") == frozenset()
    assert kinds("and express?", "and express?") == frozenset()
    # a how-to's follow-up asks for the steps of what it names; a yes or no is not carried
    assert kinds("for the pro version?", "how do I reset my aura 2? for the pro version?") == {STEPS}
    assert kinds("and the charger?", "can I return it opened? and the charger?") == frozenset()


def test_a_section_headed_by_the_asked_kind_and_subject_adds_its_fact() -> None:
    issued = "We check returned items within 5 working days. Your bank may take 2 days more."
    seen = "| Payment method | Time to appear |\n|---|---|\n| PayPal | Within 24 hours |"
    other = "Returns usually take 2 weeks to reach us."
    passages = [
        passage(1, "Refunds", "Refunds > When will I see the money?", seen),
        passage(1, "Refunds", "Refunds > When is the refund issued?", issued),
        passage(1, "Refunds", "Refunds > Sending it back", other),
    ]
    units = passage_units(passages)
    question = "how long until I see my refund with paypal?"
    asked = read_question(question, question, content_words(question))
    scores = np.asarray([1.2, 0.8, 0.7, 0.9])
    none = np.zeros(len(units), dtype=bool)
    added = headed_answer(units, [0], scores, asked, lambda i, j: False, none)
    # the "Sending it back" section states a duration too, but its heading names neither
    assert [units[i].text for i in added] == ["We check returned items within 5 working days."]
    how = read_question("how do I get a refund", "how do I get a refund", {"refund"})
    assert headed_answer(units, [0], scores, how, lambda i, j: False, none) == []  # no kind asked


def test_a_heading_sharing_only_the_question_s_kind_words_adds_nothing() -> None:
    """ "How long does delivery take?" shares "how long" with "how long until I see my refund?",
    which says what kind of fact is wanted, not what it is about."""
    seen = "| Payment method | Time to appear |\n|---|---|\n| PayPal | Within 24 hours |"
    delivery = "Standard delivery takes 3 working days."
    passages = [
        passage(1, "Refunds", "Refunds > When will I see the money?", seen),
        passage(1, "Refunds", "Refunds > How long does delivery take?", delivery),
    ]
    units = passage_units(passages)
    question = "how long until I see my refund with paypal?"
    asked = read_question(question, question, content_words(question))
    scores = np.asarray([1.2, 0.9])
    none = np.zeros(len(units), dtype=bool)
    assert headed_answer(units, [0], scores, asked, lambda i, j: False, none) == []


def test_rows_whose_labels_name_the_same_asked_word_are_quoted_together(embedder: MiniLM) -> None:
    """ "klarna in germany?" names two rows of the payment table, one with Germany: No and one with
    Germany: Yes; quoting the likelier alone told half the answer. A word that more than
    MAX_SIBLING_ROWS other rows name ("card" here) names the table: no row joins for it."""
    table = (
        "| Method | UK | Germany |\n|---|---|---|\n| Klarna – pay in 3 instalments | Yes | No |\n"
        "| Klarna – pay in 30 days | No | Yes |\n| Card (Visa, Mastercard) | Yes | Yes |\n"
        "| Gift card | Yes | Yes |\n| Card (American Express) | Yes | No |\n"
        "| Card (Cartes Bancaires) | No | No |"
    )
    units = passage_units([passage(1, "Payment methods", "For orders", table)])
    answerer = ExtractiveAnswerer(embedder)
    texts = [unit.text for unit in answerer.select("klarna in germany?", units).units]
    assert sum(text.startswith("Method: Klarna") for text in texts) == 2
    # the rule itself: the other Klarna row joins; "card" names four rows, so none joins
    klarna, card = (
        next(i for i, u in enumerate(units) if u.text.startswith(start))
        for start in ("Method: Klarna – pay in 3", "Method: Card (Visa")
    )
    unopposed = np.zeros(len(units), dtype=bool)
    for question, best, joined in (("klarna in germany?", klarna, 1), ("card in germany?", card, 0)):
        asked = read_question(question, question, content_words(question))
        assert len(equally_named_rows(units, best, asked, unopposed, [best])) == joined
