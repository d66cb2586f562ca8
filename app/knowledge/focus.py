"""Focusing a long request on the sentences the knowledge base can answer.

A customer who writes a whole story ("I'm a nurse from Leeds, I've banked with you for years...
my card was declined abroad and the fee...") gives the embedding model far more than it reads:
MiniLM stops at 256 tokens, and each token costs about 0.2 ms on two cores. The sentences that
matter are the ones the corpus has words for, so each sentence is scored by the best BM25 score it
reaches among the whole request's BM25 candidates, per square root of its length (long sentences
would win on length alone), and the best are kept, in their original order, up to a budget.

On the τ³ banking requests (1 500-7 000 characters), one focused window ranked better than
averaging the embeddings of every 800-character window, at a fraction of the encoding time:
hybrid document recall@10 0.361 with 600 characters, 0.372 with 800, against 0.351. BM25 still
reads the whole request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from app.knowledge.lexical import tokenize

BestScores = Callable[[list[str]], np.ndarray]
# Customers do not always capitalise, so any end mark followed by space ends a sentence, and so
# does a line break (the chunker's stricter rule cost the dense ranking 2 points of recall here).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def focus(text: str, *, budget: int, best_scores: BestScores) -> str:
    """`text` itself when it fits the budget, else its most answerable sentences within it."""
    if len(text) <= budget:
        return text
    sentences = [part.strip() for part in _SENTENCE_BREAK.split(text) if part.strip()]
    if len(sentences) <= 1:
        return text[:budget]
    lengths = [len(tokenize(sentence)) for sentence in sentences]
    best = best_scores(sentences)
    salience = [score / math.sqrt(n) if n else 0.0 for score, n in zip(best, lengths, strict=True)]
    chosen: set[int] = set()
    used = 0
    for index in sorted(range(len(sentences)), key=lambda i: -salience[i]):
        size = len(sentences[index]) + 1
        if chosen and used + size > budget:
            continue
        chosen.add(index)
        used += size
    return " ".join(sentences[i] for i in sorted(chosen))[: max(budget, 1)]
