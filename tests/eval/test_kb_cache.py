"""The evaluation's cached index is keyed to the code that reads and chunks the files too."""

from __future__ import annotations

import re
from typing import Any

from eval.datasets.loader import load_dataset
from eval.kb_cache import collection_name, ingest_fingerprint
from tests.eval.test_scoring_report import TINY


def test_a_change_to_the_ingest_code_names_another_index(settings: Any) -> None:
    """A trial that changed how files are read, under a chunker version an earlier trial had used,
    replayed that earlier trial's index: the ingest code's own fingerprint now names the index."""
    source = load_dataset(str(TINY), settings=settings).knowledge
    assert collection_name(source, settings, ingest="a") != collection_name(source, settings, ingest="b")
    assert collection_name(source, settings) == collection_name(source, settings, ingest=ingest_fingerprint())


def test_the_ingest_fingerprint_is_stable_while_the_code_is() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", ingest_fingerprint())
    assert ingest_fingerprint() == ingest_fingerprint()
