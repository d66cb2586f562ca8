"""Short forms of the help centre's multi-word names, read from the articles' own text."""

from __future__ import annotations

from app.knowledge.abbreviations import Abbreviations

ARTICLES = (
    "| Method | UK | France |\n|---|---|---|\n"
    "| American Express | Yes | No |\n| Apple Pay, Google Pay | Yes | Yes |\n"
    "Parcels go by Royal Mail Tracked 48, or to a Mondial Relay point. Read more about returns."
)


def test_a_word_made_of_the_beginnings_of_a_names_words_abbreviates_it() -> None:
    short = Abbreviations.from_text(ARTICLES)
    assert short.expand("amex") == "American Express"
    assert short.expand("AmEx") == "American Express"
    assert short.expand("applepay") == "Apple Pay"  # a word may be kept whole
    assert short.expand("royalmail") is None  # a name is abbreviated whole: "Royal Mail Tracked"


def test_ordinary_words_and_single_letters_abbreviate_nothing() -> None:
    short = Abbreviations.from_text(ARTICLES)
    assert short.expand("more") is None  # "Mo" + "re" of Mondial Relay, but the articles write "more"
    assert short.expand("gpay") is None  # one letter of Google is too little to tell
    assert short.expand("amx") is None  # too short
    assert short.expand("amexes") is None  # letters left over


def test_a_short_form_is_kept_and_followed_by_its_name() -> None:
    short = Abbreviations.from_text(ARTICLES)
    assert short.spelled_out("can I pay by amex?") == "can I pay by amex (American Express)?"
    assert short.spelled_out("can I pay by card?") == "can I pay by card?"
    assert Abbreviations().spelled_out("can I pay by amex?") == "can I pay by amex?"
