"""Build datasets/dialogues/train.jsonl: Kestrel dialogues written apart, for fitting models.

Why it exists: the offline model's learned parts (the answer-unit scorer, the intent classifier)
were fitted on dev alone, the same dialogues every rule was shaped on, so their weights learned one
writer's phrasing. These dialogues were written by two other writers from the help-centre articles
alone, without reading dev, test, validation, the agent or any result, in their own words.

Its role: **train**. Models may be fitted on it, and its turns may be read to understand a failure.
Designs are still chosen on dev and validation, and reported once on test.

Same schema as dev and test (see datasets/README.md); the labels come from the constructors in
demo_dialogues/turns.py. Ids are train-<category>-NNN. Running the script again gives a
byte-identical file, and it refuses to write a gold id that is not an article in
datasets/knowledge_base.

Usage:
    python scripts/build_train_dialogues.py              # rewrite datasets/dialogues/train.jsonl
    python scripts/build_train_dialogues.py --out /tmp/t # write train.jsonl there
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import written_apart
from train_dialogues import conversations, questions
from written_apart import Categories

FILE_NAME = "train.jsonl"

CATEGORIES: Categories = {
    "faq": (
        questions.faq_account,
        questions.faq_billing,
        questions.faq_orders,
        questions.faq_returns,
        questions.faq_security,
        questions.faq_contact,
        questions.faq_troubleshooting,
    ),
    "followup": (conversations.followups,),
    "memory": (conversations.memory,),
    "unanswerable": (conversations.unanswerables,),
    "escalate": (conversations.escalations,),
    "urgent": (conversations.urgent,),
    "frustrated": (conversations.frustrated,),
    "chitchat": (conversations.chitchat,),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: build, check, write, and print the counts."""
    return written_apart.main(
        argv, description=__doc__.splitlines()[0], categories=CATEGORIES, prefix="train", file_name=FILE_NAME
    )


if __name__ == "__main__":
    sys.exit(main())
