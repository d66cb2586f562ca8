"""Answer and context quality through ragas 0.4.3, without an LLM by default and with a judge if set.

Non-LLM metrics (always available; each is the mean over the turns where it applies):

- `answers/context_recall` (NonLLMContextRecall; needs reference contexts): share of the gold
  passages that some retrieved passage resembles (Levenshtein similarity > 0.5); 0 when nothing
  was retrieved (ragas cannot score an empty list).
- `answers/context_precision` (NonLLMContextPrecisionWithReference; needs retrieved and reference
  contexts): average precision of the retrieved list, a passage being relevant when it resembles a
  gold passage (similarity >= 0.5).
- `answers/rouge_l` (RougeScore, rougeL F-measure; needs a reference answer): longest common
  subsequence overlap with the reference.
- `answers/bleu` (BleuScore; reference answer): sacrebleu BLEU over ragas' ". " sentence split.
- `answers/string_similarity` (NonLLMStringSimilarity; reference answer): 1 - normalised
  Levenshtein distance.
- `answers/semantic_similarity` (SemanticSimilarity; reference answer and an embedder): cosine of
  the two answers' embeddings from our local embedder.
- `answers/tool_call_accuracy` (ToolCallAccuracy, order-free; expected tools): ragas' tool score,
  same multiset of tool names, expected argument values equal as text (case kept), extra or
  missing calls penalised.

For `answers/tool_call_accuracy`, actual arguments that no expectation of that tool names are dropped
before scoring: our labels list only the arguments that matter, and ragas would otherwise score a
search with an unconstrained query as wrong. `tools/accuracy` (routing.py) is the lenient sibling.

Judge metrics (only with a judge: an OpenAI-compatible `base_url`, `model`, optional api key; ragas'
`llm_factory` over an `AsyncOpenAI` client, which asks for JSON answers):

- `judge/faithfulness` (Faithfulness; needs retrieved contexts)
- `judge/response_relevancy` (AnswerRelevancy, which older ragas called ResponseRelevancy; needs an
  embedder)
- `judge/context_recall` (ContextRecall, the LLM one; needs retrieved contexts and a reference)
- `judge/factual_correctness` (FactualCorrectness, F1 mode; needs a reference answer)

Every value is clamped to [0, 1] (ragas' BLEU can return 1.0000000000000004 and a cosine can dip
below 0). A metric that applies to no turn is absent from the result rather than reported as 0.

One async function per concern, each scoring per sample (one dict per sample holding only the
metrics that apply to it): `ascore_samples` (the non-LLM metrics), `ajudge_samples` (the judge) and
`aevaluate_samples` (both; what the harness calls). The run totals are `mean_scores` of those, so a
turn's numbers in turns.jsonl and the run's averages cannot disagree. A caller outside an event loop
wraps them itself (`app.asyncutil.run_sync`).
ragas is imported on first use only, with RAGAS_DO_NOT_TRACK=true unless already set.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import warnings
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from tqdm.auto import tqdm

from app.errors import ConfigError, ModelUnavailableError
from eval.metrics.routing import call_parts

if TYPE_CHECKING:
    from app.settings import Settings

logger = logging.getLogger(__name__)

ANSWERS = "answers/"
JUDGE = "judge/"


class TextEmbedder(Protocol):
    """What the adapters need from an embedder (the project's `Embedder` satisfies it)."""

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class AnswerSample:
    """One scored turn: what was asked, answered and retrieved, and what was expected.

    `tool_calls` / `expected_tools` hold mappings with `name` and `arguments`, or objects with
    those attributes (the agent's `ToolCallRecord`, the dataset's `ToolExpectation`).
    """

    question: str
    response: str
    reference: str | None = None
    retrieved_contexts: Sequence[str] = ()
    reference_contexts: Sequence[str] = ()
    tool_calls: Sequence[Any] = ()
    expected_tools: Sequence[Any] = ()


@dataclass(frozen=True)
class JudgeConfig:
    """Where the judge model is; `concurrency` bounds the requests in flight."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    concurrency: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> JudgeConfig | None:
        """The judge the settings name, or None when none is configured."""
        if not settings.judge_base_url and not settings.judge_model:
            return None
        if not (settings.judge_base_url and settings.judge_model):
            raise ConfigError("a judge needs both judge_base_url and judge_model")
        key = settings.judge_api_key.get_secret_value() if settings.judge_api_key else None
        return cls(base_url=settings.judge_base_url, model=settings.judge_model, api_key=key)


@functools.cache
def _ragas_embeddings_class() -> type:
    """Built on first use so that importing this module does not import ragas."""
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    from ragas.embeddings.base import BaseRagasEmbedding

    class LocalRagasEmbeddings(BaseRagasEmbedding):
        """ragas' modern embeddings interface over a local embedder, with a text → vector cache.

        `prefetch` embeds many texts in one batch; ragas then asks text by text and hits the cache.
        """

        def __init__(self, embedder: TextEmbedder) -> None:
            super().__init__()
            self._embedder = embedder
            self._cache: dict[str, list[float]] = {}

        def prefetch(self, texts: Sequence[str]) -> None:
            missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
            if missing:
                vectors = np.asarray(self._embedder.embed_documents(missing), dtype=np.float64)
                self._cache.update(zip(missing, vectors.tolist(), strict=True))

        def embed_text(self, text: str, **kwargs: Any) -> list[float]:
            self.prefetch([text])
            return self._cache[text]

        async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
            return self.embed_text(text)

        def embed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            self.prefetch(texts)
            return [self._cache[text] for text in texts]

        async def aembed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            return self.embed_texts(texts)

    return LocalRagasEmbeddings


def ragas_embeddings(embedder: TextEmbedder) -> Any:
    """Wrap an embedder with `embed_query` / `embed_documents` as a ragas `BaseRagasEmbedding`."""
    return _ragas_embeddings_class()(embedder)


def _clamp(value: Any) -> float | None:
    value = float(value)
    return None if np.isnan(value) else min(1.0, max(0.0, value))


def mean_scores(per_sample: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each metric's mean over the samples that carry it: the run totals, from the per-turn values.

    Summed in sample order, so the totals are exactly what a reader recomputes from turns.jsonl.
    """
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for scores in per_sample:
        for name, value in scores.items():
            sums[name] = sums.get(name, 0.0) + value
            counts[name] = counts.get(name, 0) + 1
    return {name: sums[name] / counts[name] for name in sorted(sums)}


@dataclass
class _NonLLMScorer:
    """The ragas metric objects, built once per evaluation and reused for every turn."""

    embeddings: Any | None
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
        from ragas.metrics import NonLLMContextPrecisionWithReference, NonLLMContextRecall
        from ragas.metrics.collections import (
            BleuScore,
            NonLLMStringSimilarity,
            RougeScore,
            SemanticSimilarity,
            ToolCallAccuracy,
        )

        self.metrics = {
            "context_recall": NonLLMContextRecall(),
            "context_precision": NonLLMContextPrecisionWithReference(),
            "rouge_l": RougeScore(rouge_type="rougeL", mode="fmeasure"),
            "bleu": BleuScore(),
            "string_similarity": NonLLMStringSimilarity(),
            "tool_call_accuracy": ToolCallAccuracy(strict_order=False),
        }
        if self.embeddings is not None:
            self.metrics["semantic_similarity"] = SemanticSimilarity(embeddings=self.embeddings)

    async def score(self, sample: AnswerSample) -> dict[str, float | None]:
        scores: dict[str, float | None] = {}
        scores.update(await self._contexts(sample))
        if sample.reference:
            for name in ("rouge_l", "bleu", "string_similarity", "semantic_similarity"):
                if name in self.metrics:
                    result = await self.metrics[name].ascore(
                        reference=sample.reference, response=sample.response
                    )
                    scores[name] = _clamp(result.value)
        if sample.expected_tools:
            scores["tool_call_accuracy"] = await self._tools(sample)
        return scores

    async def _contexts(self, sample: AnswerSample) -> dict[str, float | None]:
        if not sample.reference_contexts:
            return {}
        if not sample.retrieved_contexts:
            return {"context_recall": 0.0}  # ragas cannot score an empty list; nothing found is 0
        from ragas.dataset_schema import SingleTurnSample

        row = SingleTurnSample(
            retrieved_contexts=list(sample.retrieved_contexts),
            reference_contexts=list(sample.reference_contexts),
        )
        return {
            name: _clamp(await self.metrics[name].single_turn_ascore(row))
            for name in ("context_recall", "context_precision")
        }

    async def _tools(self, sample: AnswerSample) -> float | None:
        from ragas.messages import AIMessage, HumanMessage, ToolCall

        expected = [call_parts(call) for call in sample.expected_tools]
        wanted_keys: dict[str, set[str]] = {}
        for name, arguments in expected:
            wanted_keys.setdefault(name, set()).update(arguments)
        actual = []
        for name, arguments in map(call_parts, sample.tool_calls):
            keys = wanted_keys.get(name, set())
            actual.append(ToolCall(name=name, args={k: v for k, v in arguments.items() if k in keys}))
        reference = [ToolCall(name=name, args=dict(arguments)) for name, arguments in expected]
        messages = [
            HumanMessage(content=sample.question),
            AIMessage(content=sample.response, tool_calls=actual),
        ]
        with warnings.catch_warnings():  # ragas warns on every length mismatch; the score says it
            warnings.simplefilter("ignore", UserWarning)
            result = await self.metrics["tool_call_accuracy"].ascore(
                user_input=messages, reference_tool_calls=reference
            )
        return _clamp(result.value)


def _iterate(samples: Sequence[AnswerSample], progress: bool, desc: str) -> Any:
    return tqdm(samples, desc=desc, unit="turn", disable=not progress)


async def ascore_samples(
    samples: Sequence[AnswerSample], *, embedder: TextEmbedder | None = None, progress: bool = False
) -> list[dict[str, float]]:
    """Non-LLM ragas metrics (`answers/*`) per sample, each holding only the metrics that apply to it."""
    embeddings = ragas_embeddings(embedder) if embedder is not None else None
    if embeddings is not None:
        embeddings.prefetch(
            [text for s in samples if s.reference for text in (s.reference, s.response or " ")]
        )
    scorer = _NonLLMScorer(embeddings)
    per_sample = []
    for sample in _iterate(samples, progress, "answer metrics"):
        scores = await scorer.score(sample)
        per_sample.append({f"{ANSWERS}{name}": value for name, value in scores.items() if value is not None})
    return per_sample


def _judge_llm(judge: JudgeConfig) -> Any:
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    from openai import AsyncOpenAI
    from ragas.llms import llm_factory

    client = AsyncOpenAI(
        base_url=judge.base_url, api_key=judge.api_key or "not-needed", timeout=judge.timeout_s, max_retries=1
    )
    return llm_factory(judge.model, client=client)


# ragas argument → AnswerSample field, per judge metric; a metric applies when every field is non-empty.
_JUDGE_INPUTS: dict[str, dict[str, str]] = {
    "faithfulness": {
        "user_input": "question",
        "response": "response",
        "retrieved_contexts": "retrieved_contexts",
    },
    "context_recall": {
        "user_input": "question",
        "retrieved_contexts": "retrieved_contexts",
        "reference": "reference",
    },
    "factual_correctness": {"response": "response", "reference": "reference"},
    "response_relevancy": {"user_input": "question", "response": "response"},
}


def _judge_metrics(llm: Any, embeddings: Any | None) -> dict[str, Any]:
    """The judge metric objects; response relevancy only with an embedder."""
    from ragas.metrics.collections import AnswerRelevancy, ContextRecall, FactualCorrectness, Faithfulness

    metrics = {
        "faithfulness": Faithfulness(llm=llm),
        "context_recall": ContextRecall(llm=llm),
        "factual_correctness": FactualCorrectness(llm=llm, mode="f1"),
    }
    if embeddings is not None:
        metrics["response_relevancy"] = AnswerRelevancy(llm=llm, embeddings=embeddings)
    return metrics


def _judge_kwargs(name: str, sample: AnswerSample) -> dict[str, Any] | None:
    """The metric's ascore arguments from the sample, or None when a needed field is empty."""
    kwargs: dict[str, Any] = {}
    for param, attr in _JUDGE_INPUTS[name].items():
        value = getattr(sample, attr)
        if not value:
            return None
        kwargs[param] = value if isinstance(value, str) else list(value)
    return kwargs


_JudgeOutcome = tuple[int, str, float | None, BaseException | None]


async def ajudge_samples(
    samples: Sequence[AnswerSample],
    judge: JudgeConfig,
    *,
    embedder: TextEmbedder | None = None,
    progress: bool = False,
) -> list[dict[str, float]]:
    """LLM-judged ragas metrics (`judge/*`) per sample, `judge.concurrency` requests at a time.

    A turn whose judgement fails (bad JSON, a server error) is logged and left without that metric;
    if every judgement fails, the judge is taken to be unusable and `ModelUnavailableError` says why.
    """
    metrics = _judge_metrics(_judge_llm(judge), ragas_embeddings(embedder) if embedder else None)
    gate = asyncio.Semaphore(judge.concurrency)

    async def run(index: int, name: str, metric: Any, kwargs: dict[str, Any]) -> _JudgeOutcome:
        async with gate:
            try:
                return index, name, _clamp((await metric.ascore(**kwargs)).value), None
            except Exception as exc:  # one bad judgement must not sink the run
                logger.warning("judge metric failed", extra={"metric": name, "error": repr(exc)[:500]})
                return index, name, None, exc

    jobs: list[Awaitable[_JudgeOutcome]] = [
        run(index, name, metric, kwargs)
        for index, sample in enumerate(samples)
        for name, metric in metrics.items()
        if (kwargs := _judge_kwargs(name, sample)) is not None
    ]
    per_sample: list[dict[str, float]] = [{} for _ in samples]
    failures = []
    with tqdm(total=len(jobs), desc="judge metrics", unit="call", disable=not progress) as bar:
        for job in asyncio.as_completed(jobs):
            index, name, value, error = await job
            if value is not None:
                per_sample[index][f"{JUDGE}{name}"] = value
            if error is not None:
                failures.append(error)
            bar.update()
    if jobs and len(failures) == len(jobs):
        raise ModelUnavailableError(
            f"the judge model {judge.model!r} failed every request: {failures[0]!r}"[:1000]
        )
    return [dict(sorted(scores.items())) for scores in per_sample]  # completion order is arbitrary


async def aevaluate_samples(
    samples: Sequence[AnswerSample],
    *,
    judge: JudgeConfig | None = None,
    embedder: TextEmbedder | None = None,
    progress: bool = False,
) -> list[dict[str, float]]:
    """Per sample: `answers/*`, plus `judge/*` when a judge is given. The harness calls this once and
    stores each turn's scores; its run totals are `mean_scores` of the result."""
    per_sample = await ascore_samples(samples, embedder=embedder, progress=progress)
    if judge is not None:
        judged = await ajudge_samples(samples, judge, embedder=embedder, progress=progress)
        per_sample = [{**scores, **extra} for scores, extra in zip(per_sample, judged, strict=True)]
    return per_sample
