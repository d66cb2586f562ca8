"""DSTC11 Track 5 scores, defined as the official scorer defines them, so figures sit beside the
published table (alexa/dstc11-track5, `scripts/scores.py`; same scorer as DSTC9/10 Track 1).

Input: one reference and one prediction per instance, in the official label format:
`{"target": bool, "knowledge": [{"domain", "entity_id", "doc_type", "doc_id", "sent_id"?}], "response": str}`.
A snippet may also be given as a plain string id; it then matches only an equal string.

What the official scorer does, and so what this module does:

- Detection: over all instances, tp = both targets true, fp = predicted only, fn = reference only;
  precision tp/(tp+fp), recall tp/(tp+fn), F1 their harmonic mean; 0.0 for an empty denominator.
- Selection: every instance where the reference or the prediction lists knowledge takes part
  (even one the prediction did not flag as a target). Repeated predicted snippets are dropped first.
  Snippets match on domain, entity_id, doc_type and doc_id, plus sent_id for reviews. tp/fp/fn are
  summed over instances (micro-average) before precision, recall and F1 are taken; `em` is the share
  of those instances whose predicted set equals the reference set.
- Generation: only detection true positives contribute a (reference, predicted) response pair.
  BLEU is sacrebleu's corpus BLEU over those pairs (13a tokenisation, exponential smoothing, case
  kept), ROUGE-1/2/L are rouge_score F-measures with the Porter stemmer, summed per pair. Each sum S
  (BLEU: corpus score × tp) becomes precision S/(tp+fp) and recall S/(tp+fn), and the reported
  number is their harmonic mean: a missed or spurious detection lowers the generation scores too.
- METEOR (deviation): the official scorer runs the Java METEOR 1.5 (`-l en -norm`, exact, stem,
  WordNet synonym and paraphrase modules, one corpus-level score). Neither Java METEOR nor WordNet
  data can be installed offline here (no PyPI package ships usable WordNet data), so this module
  uses nltk's METEOR with exact and Porter-stem matching only (a WordNet stub that knows no synonyms),
  nltk's parameters (alpha 0.9, beta 3, gamma 0.5), lower-cased word/punctuation tokens, and the mean
  of the sentence scores as the corpus score. Expect it to read lower than the published METEOR.

Two small robustness choices that can only turn a spurious miss into a match: ids are compared as
text (an `entity_id` of 20 equals "20"), and a missing `response` counts as an empty string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from app.errors import InputError

Snippet = Mapping[str, Any] | str
PREFIX = "dstc/"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def snippet_key(snippet: Snippet) -> tuple[str, ...] | str:
    """The identity the official scorer matches on (sent_id only for review sentences)."""
    if isinstance(snippet, str):
        return snippet
    try:
        doc_type = str(snippet["doc_type"])
        key = (str(snippet["domain"]), str(snippet["entity_id"]), doc_type, str(snippet["doc_id"]))
        return (*key, str(snippet["sent_id"])) if doc_type == "review" else key
    except KeyError as exc:
        raise InputError(f"knowledge snippet {dict(snippet)!r} lacks field {exc.args[0]!r}") from None


def _unique(snippets: Sequence[Snippet]) -> list[tuple[str, ...] | str]:
    seen: list[tuple[str, ...] | str] = []
    for key in map(snippet_key, snippets):
        if key not in seen:
            seen.append(key)
    return seen


def match_knowledge(reference: Sequence[Snippet], predicted: Sequence[Snippet]) -> tuple[int, int, int, bool]:
    """(tp, fp, fn, exact match) of one instance, as the official `_match_knowledge`.

    Predicted repeats are dropped; reference snippets are taken as given.
    """
    ref_keys = [snippet_key(item) for item in reference]
    pred_keys = _unique(predicted)
    tp = sum(1 for ref in ref_keys for pred in pred_keys if ref == pred)
    exact = len(ref_keys) == len(pred_keys) == tp
    return tp, len(pred_keys) - tp, len(ref_keys) - tp, exact


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else 0.0


def _harmonic(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


@dataclass(frozen=True)
class InstanceCounts:
    """What one instance adds to the official scorer's tallies (summed over instances)."""

    detection_tp: int = 0
    detection_fp: int = 0
    detection_fn: int = 0
    selection_tp: int = 0
    selection_fp: int = 0
    selection_fn: int = 0
    selection_exact: int = 0
    selection_total: int = 0


def instance_counts(reference: Mapping[str, Any], prediction: Mapping[str, Any]) -> InstanceCounts:
    """Detection and selection counts of one instance; its response pair is scored when detection_tp."""
    ref_target, pred_target = reference.get("target") is True, prediction.get("target") is True
    detection = (int(ref_target and pred_target), int(pred_target and not ref_target))
    detection_fn = int(ref_target and not pred_target)
    ref_knowledge = reference.get("knowledge") or []
    pred_knowledge = prediction.get("knowledge") or []
    if not (ref_knowledge or pred_knowledge):
        return InstanceCounts(*detection, detection_fn)
    tp, fp, fn, exact = match_knowledge(ref_knowledge, pred_knowledge)
    return InstanceCounts(*detection, detection_fn, tp, fp, fn, int(exact), 1)


@dataclass
class _Tally:
    """The instances' counts summed, and the response pairs of detection true positives."""

    counts: InstanceCounts = field(default_factory=InstanceCounts)
    ref_responses: list[str] = field(default_factory=list)
    pred_responses: list[str] = field(default_factory=list)

    def add(self, reference: Mapping[str, Any], prediction: Mapping[str, Any]) -> None:
        counts = instance_counts(reference, prediction)
        self.counts = InstanceCounts(
            *(getattr(self.counts, f.name) + getattr(counts, f.name) for f in fields(InstanceCounts))
        )
        if counts.detection_tp:
            self.ref_responses.append(str(reference.get("response") or ""))
            self.pred_responses.append(str(prediction.get("response") or ""))

    def detection_prf(self, score_sum: float) -> tuple[float, float, float]:
        """The official `_compute`: a sum over true positives spread over predicted / actual targets."""
        counts = self.counts
        precision = _ratio(score_sum, counts.detection_tp + counts.detection_fp)
        recall = _ratio(score_sum, counts.detection_tp + counts.detection_fn)
        return precision, recall, _harmonic(precision, recall)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu corpus BLEU in [0, 1] with its defaults (as summ_eval's BleuMetric calls it)."""
    if not hypotheses:
        return 0.0
    import sacrebleu

    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score) / 100.0


BLEU_STATISTICS = 10  # sacrebleu: hypothesis length, reference length, 4 n-gram matches, 4 n-gram totals


@functools.cache
def _bleu() -> Any:
    from sacrebleu.metrics.bleu import BLEU

    return BLEU()  # corpus_bleu's defaults: 13a tokenisation, exponential smoothing


def bleu_statistics(hypotheses: Sequence[str], references: Sequence[str]) -> list[list[int]]:
    """sacrebleu's sufficient statistics per pair: their sum determines the corpus BLEU."""
    if not hypotheses:
        return []
    return [
        list(map(int, row))
        for row in _bleu()._extract_corpus_statistics(list(hypotheses), [list(references)])
    ]


def bleu_from_statistics(statistics: Sequence[float]) -> float:
    """Corpus BLEU in [0, 1] from summed `bleu_statistics` (equals `corpus_bleu` of the same pairs)."""
    if statistics[0] == 0 and statistics[1] == 0:
        return 0.0
    return float(_bleu()._compute_score_from_stats([round(v) for v in statistics]).score) / 100.0


def rouge_pairs(hypotheses: Sequence[str], references: Sequence[str]) -> list[dict[str, float]]:
    """rouge_score F-measures (rouge1, rouge2, rougeL; Porter stemmer) of each pair."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    pairs = zip(hypotheses, references, strict=True)
    return [{name: score.fmeasure for name, score in scorer.score(ref, hyp).items()} for hyp, ref in pairs]


def rouge_sums(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Sum over pairs of rouge_score F-measures (rouge1, rouge2, rougeL; Porter stemmer)."""
    sums = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for scores in rouge_pairs(hypotheses, references):
        for name in sums:
            sums[name] += scores[name]
    return sums


class _NoSynonyms:
    """Stands in for nltk's WordNet reader, whose data cannot be installed offline: no synonyms."""

    def synsets(self, *_args: Any, **_kwargs: Any) -> list[Any]:
        return []


def meteor_tokens(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens, close to METEOR's `-norm` tokenisation."""
    return _TOKEN.findall(text.lower())


def sentence_meteor(hypothesis: str, reference: str) -> float:
    """nltk METEOR of one pair with exact + stem matching only (see the module docstring)."""
    from nltk.translate.meteor_score import meteor_score

    hyp, ref = meteor_tokens(hypothesis), meteor_tokens(reference)
    if not hyp or not ref:
        return 0.0
    return float(meteor_score([ref], hyp, wordnet=_NoSynonyms()))


def mean_meteor(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Mean sentence METEOR over pairs (0.0 for no pairs)."""
    pairs = list(zip(hypotheses, references, strict=True))
    return sum(sentence_meteor(hyp, ref) for hyp, ref in pairs) / len(pairs) if pairs else 0.0


def score_dstc(
    references: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any]],
    *,
    prefix: str = PREFIX,
) -> dict[str, float]:
    """All DSTC11 Track 5 scores for aligned reference / prediction instances.

    Keys: `{prefix}detection/precision|recall|f1`, `{prefix}selection/precision|recall|f1|em`,
    `{prefix}generation/bleu|meteor|rouge_1|rouge_2|rouge_l`.
    """
    if len(references) != len(predictions):
        raise InputError(f"DSTC scoring: {len(references)} references but {len(predictions)} predictions")
    tally = _Tally()
    for reference, prediction in zip(references, predictions, strict=True):
        tally.add(reference, prediction)
    return {f"{prefix}{name}": value for name, value in _scores(tally).items()}


def _scores(tally: _Tally) -> dict[str, float]:
    counts = tally.counts
    detection = tally.detection_prf(float(counts.detection_tp))
    sel_precision = _ratio(counts.selection_tp, counts.selection_tp + counts.selection_fp)
    sel_recall = _ratio(counts.selection_tp, counts.selection_tp + counts.selection_fn)
    hyps, refs, tp = tally.pred_responses, tally.ref_responses, counts.detection_tp
    rouge = rouge_sums(hyps, refs)
    return {
        "detection/precision": detection[0],
        "detection/recall": detection[1],
        "detection/f1": detection[2],
        "selection/precision": sel_precision,
        "selection/recall": sel_recall,
        "selection/f1": _harmonic(sel_precision, sel_recall),
        "selection/em": _ratio(counts.selection_exact, counts.selection_total),
        "generation/bleu": tally.detection_prf(corpus_bleu(hyps, refs) * tp)[2],
        "generation/meteor": tally.detection_prf(mean_meteor(hyps, refs) * tp)[2],
        "generation/rouge_1": tally.detection_prf(rouge["rouge1"])[2],
        "generation/rouge_2": tally.detection_prf(rouge["rouge2"])[2],
        "generation/rouge_l": tally.detection_prf(rouge["rougeL"])[2],
    }
