"""The in-memory vector LRU: a hit is the same vector without a forward pass; the bound holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.knowledge.embedders import CachedEmbedder, Embedder


class CountingEmbedder(Embedder):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.documents: list[str] = []
        self.queries: list[str] = []
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.documents.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return self.inner.embed_queries(texts)


@pytest.fixture
def counting(embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


def test_hits_return_identical_vectors_without_a_forward_pass(counting) -> None:
    cached = CachedEmbedder(counting, max_entries=100)
    texts = ["Refunds take five days.", "The sky is blue.", "Refunds take five days."]
    first = cached.embed_documents(texts)
    assert counting.documents == texts[:2], "a repeated text in one batch is embedded once"
    assert np.allclose(first, counting.inner.embed_documents(texts), atol=1e-5)
    again = cached.embed_documents(list(reversed(texts)))
    assert counting.documents == texts[:2], "hits need no forward pass"
    assert np.array_equal(again, first[::-1])
    assert (cached.hits, cached.misses) == (2, 2)
    with pytest.raises(ValueError):
        cached.embed_query("How long do refunds take?")[0] = 1.0  # shared vectors are read-only


def test_queries_and_documents_are_cached_apart(counting) -> None:
    cached = CachedEmbedder(counting)
    query = cached.embed_query("Refunds take five days.")
    assert np.array_equal(cached.embed_query("Refunds take five days."), query)
    cached.embed_documents(["Refunds take five days."])
    assert counting.queries == ["Refunds take five days."]
    assert counting.documents == ["Refunds take five days."]
    assert len(cached) == 2 and cached.embed_documents([]).shape == (0, counting.dimension)


def test_many_queries_embed_their_misses_in_one_batch_as_one_query_would(counting) -> None:
    cached = CachedEmbedder(counting)
    known = cached.embed_query("How long do refunds take?")
    texts = ["Can I pay by card?", "How long do refunds take?", "Where is my parcel?", "Can I pay by card?"]
    vectors = cached.embed_queries(texts)
    assert counting.batches == [["Can I pay by card?", "Where is my parcel?"]], "misses only, each once"
    assert vectors.shape == (4, counting.dimension) and np.array_equal(vectors[1], known)
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, counting.inner.embed_query(text), atol=1e-5)
    assert np.array_equal(cached.embed_query("Where is my parcel?"), vectors[2])  # stored as a query
    assert counting.queries == ["How long do refunds take?"]
    assert cached.embed_queries([]).shape == (0, counting.dimension)


def test_the_least_recently_used_vector_is_evicted_at_the_bound(counting) -> None:
    cached = CachedEmbedder(counting, max_entries=3)
    cached.embed_documents(["one two", "three four", "five six"])
    cached.embed_documents(["one two"])  # now the most recently used
    cached.embed_documents(["seven eight"])  # evicts "three four"
    assert len(cached) == 3
    counting.documents.clear()
    cached.embed_documents(["one two", "five six", "seven eight"])
    assert counting.documents == []
    cached.embed_documents(["three four"])
    assert counting.documents == ["three four"] and len(cached) == 3
    with pytest.raises(ValueError):
        CachedEmbedder(counting, max_entries=0)


def test_threads_share_one_cache_and_get_the_same_vectors(counting) -> None:
    cached = CachedEmbedder(counting, max_entries=50)
    texts = [f"Sentence number {i} about parcels." for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: cached.embed_documents(texts[i % 4 :] + texts[: i % 4]), range(8)))
    expected = cached.embed_documents(texts)
    for i, result in enumerate(results):
        assert np.allclose(result, np.roll(expected, -(i % 4), axis=0), atol=1e-5)
    assert len(cached) == len(texts)


def test_search_reuses_the_query_vector(small_kb) -> None:
    cached = small_kb.cached_embedder
    assert cached is small_kb.cached_embedder and cached.inner.inner is small_kb.embedder
    first = small_kb.search("How long do refunds take?", mode="dense")
    misses = cached.misses
    assert small_kb.search("How long do refunds take?", mode="dense") == first
    assert cached.misses == misses and cached.hits >= 1
