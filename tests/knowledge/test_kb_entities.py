"""Entity tracking through loosely spoken names, ordinal references and ordinary words."""

from __future__ import annotations

from app.knowledge.entities import EntityMatcher

NAMES = [
    "Birchwood Guest House",
    "Harbour Lodge Guesthouse",
    "Heron Lodge Guest House",
    "Caffe Milano",
    "Alder Bed and Breakfast",
    "The Copper Kettle",
    "Pizza Two Four",
    "Ask Restaurant",
    "Grand Hotel",
    "Royal Hotel",
]
BACKGROUND = [
    "You can ask the front desk for extra towels at any time.",
    "Free parking is available for every guest at the hotel.",
    "The restaurant serves breakfast and dinner in the main hall.",
    "Rooms are quiet and the place is clean.",
] * 30


def matcher() -> EntityMatcher:
    return EntityMatcher(NAMES, background=BACKGROUND)


def test_exact_names_still_win_and_the_last_one_named_is_tracked() -> None:
    assert matcher().last_named(["Is it quiet?", "Birchwood Guest House or the Copper Kettle?"]) == (
        "The Copper Kettle"
    )


def test_a_name_said_loosely_is_recognised_by_its_distinctive_words() -> None:
    m = matcher()
    assert m.last_named(["Do they have parking?", "how about birchwood house?"]) == "Birchwood Guest House"
    assert m.last_named(["Is it noisy?", "the alder bread and breakfast is lovely"]) == (
        "Alder Bed and Breakfast"
    )
    assert m.last_named(["Does it have a view?", "I recommend cafe milano."]) == "Caffe Milano"
    assert m.last_named(["and the heron guesthouse, do they allow pets?"]) == "Heron Lodge Guest House"


def test_generic_words_alone_name_nothing() -> None:
    m = matcher()
    assert m.last_named(["Is there a guest house with a lodge feel near a hotel?"]) is None
    assert m.last_named(["Can I ask about the restaurant opening hours?"]) is None  # "ask" is ordinary


def test_scattered_words_and_spoken_numbers_are_not_a_name() -> None:
    m = matcher()
    assert m.last_named(["their number is four one five two four nine and the pizza was fine"]) is None


def test_an_ambiguous_loose_mention_focuses_on_nothing() -> None:
    m = EntityMatcher(["Harbour Lodge North", "Harbour Lodge South"], background=BACKGROUND)
    assert m.last_named(["is the harbour lodge quiet?"]) is None


def test_ordinal_references_pick_from_the_list_just_offered() -> None:
    m = matcher()
    offered = "I have two: the Grand Hotel and the Royal Hotel."
    assert m.last_named(["Does the first one have parking?", offered]) == "Grand Hotel"
    assert m.last_named(["What about the latter?", offered]) == "Royal Hotel"
    assert m.last_named(["Is it quiet?", offered]) == "Royal Hotel"


def test_a_question_about_the_options_just_offered_is_about_all_of_them() -> None:
    m = matcher()
    offered = "I have the Grand Hotel and the Royal Hotel. Any preference?"
    assert m.discussed(["Do they have a good view?", offered]) == ["Grand Hotel", "Royal Hotel"]
    # the question names both itself
    assert m.discussed(["Which of Caffe Milano and the Copper Kettle is quieter?", "Hello"]) == [
        "Caffe Milano",
        "The Copper Kettle",
    ]


def test_a_question_that_picks_one_option_or_follows_later_is_about_one() -> None:
    m = matcher()
    offered = "I have the Grand Hotel and the Royal Hotel. Any preference?"
    assert m.discussed(["Does the first one have parking?", offered]) == ["Grand Hotel"]
    assert m.discussed(["Is the Royal Hotel quiet?", offered]) == ["Royal Hotel"]
    # an earlier list, then one option chosen: the chosen one only
    assert m.discussed(["Is it quiet?", "Great, the Royal Hotel it is.", "Book it please", offered]) == [
        "Royal Hotel"
    ]
    assert m.discussed(["Is it quiet?", "Sure.", offered]) == ["Royal Hotel"]  # the list is not the last turn
    assert m.discussed(["Is it quiet?"]) == []


def test_a_compound_heard_or_written_either_way_is_an_exact_mention() -> None:
    m = EntityMatcher(["A and B Guest House", "Acorn Guesthouse", *NAMES], background=BACKGROUND)
    assert m.last_named(["Is it quiet?", "a and b guesthouse is a nice place"]) == "A and B Guest House"
    assert m.last_named(["Is it quiet?", "I booked the acorn guest house."]) == "Acorn Guesthouse"


def test_a_name_said_as_a_place_is_not_the_subject() -> None:
    m = EntityMatcher(["Union Square", "Hotel Nikko", "Lombard Street", *NAMES], background=BACKGROUND)
    dialogue = ["do they accept master card", "that's gonna be in union square", "I suggest the hotel nikko"]
    assert m.last_named(dialogue) == "Hotel Nikko"
    assert m.last_named(["is it quiet", "the grand hotel in union square is lovely"]) == "Grand Hotel"
    address = "it's at fifteen ninety nine lombard street"
    assert m.last_named(["is it quiet", address, "try the royal hotel"]) == "Royal Hotel"
    # ... unless the dialogue names nothing else
    assert m.last_named(["is it good for kids", "there is a park in union square"]) == "Union Square"
    assert m.discussed(["is it quiet", "the grand hotel in union square is lovely"]) == ["Grand Hotel"]


def test_misspellings_keep_the_first_letter_and_a_name_word_needs_support() -> None:
    m = EntityMatcher(["Fable", "The Gardenia", "Caffe Uno", "Clowns Cafe", *NAMES], background=BACKGROUND)
    assert m.last_named(["i am able to book that room"]) is None  # not "fable"
    assert m.last_named(["i'm not seeing a gardinia listed"]) == "The Gardenia"  # no name word: a mishearing
    m = EntityMatcher(["The Gardenia", "Garden Hotel", "Caffe Uno", "Clowns Cafe"], background=BACKGROUND)
    assert m.last_named(["i'm not seeing a garden listed"]) is None  # "garden" is itself a name word
    assert m.last_named(["Does it have a view?", "i recommend cafe uno."]) == "Caffe Uno"
