"""The small help centre the reliability and scale-out tests search."""

from __future__ import annotations

from pathlib import Path

CORPUS = {
    "billing/plans": "# Club plans\n\nThe Plus plan costs $12 per month and includes free standard delivery.",
    "account/reset-password": (
        "# Reset your password\n\nTo reset your password, open Settings, choose Security and select "
        "Reset password. We email you a link that is valid for 30 minutes."
    ),
    "returns/refund-timing": (
        "# Refund timing\n\nRefunds are issued within 5 working days once your return reaches us."
    ),
}


def write_corpus(folder: Path) -> Path:
    for doc_id, text in CORPUS.items():
        path = folder / f"{doc_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
