"""Has the archive moved away from what the model was trained on, or from its own past?

Each period's label mix (summed probabilities over its sentences) is compared, by
Jensen-Shannon distance (base 2: 0 for the same mix, 1 for mixes with no label in common),
with a reference mix (by default the training corpus's gold labels) and with the pooled
earlier periods. A period is flagged when either distance passes the threshold, or when its
share of low-confidence sentences (top probability under the run's re-check threshold) is at
least twice that of the earlier periods: a model meeting text it was not trained for grows
unsure before its label mix shows it. Periods with fewer sentences than ``min_sentences`` are
measured but not flagged, since one short article moves a mix by more than any threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial.distance import jensenshannon

JS_THRESHOLD = 0.1
LOW_CONFIDENCE_RATIO = 2.0
MIN_SENTENCES = 30


@dataclass(frozen=True)
class Reference:
    """What a run is compared with: a label mix and, from an earlier run's summary, its confidence."""

    source: str
    mix: np.ndarray
    mean_top_probability: float | None = None
    low_confidence_share: float | None = None


@dataclass(frozen=True)
class PeriodTally:
    """What drift needs of one period: sentences, summed probabilities per label, low-confidence count."""

    period: str
    sentences: int
    counts: np.ndarray
    low_confidence: int


def reference_from_labels(source: str, gold: Iterable[str], labels: Sequence[str]) -> Reference:
    """The mix of gold labels: ``["a", "a", "b"]`` over ``["a", "b", "c"]`` -> ``[2/3, 1/3, 0]``."""
    counts = Counter(gold)
    unknown = sorted(set(counts) - set(labels))
    if unknown:
        raise ValueError(f"{source}: labels {', '.join(unknown)} are not the scored labels "
                         f"({', '.join(labels)})")
    total = sum(counts.values())
    if not total:
        raise ValueError(f"{source}: no labelled rows")
    return Reference(source, np.array([counts[label] / total for label in labels]))


def reference_from_summary(source: str, summary: dict[str, Any], labels: Sequence[str]) -> Reference:
    """An earlier run's summary.json as the reference (its label mix, else its argmax counts)."""
    mix = summary.get("label_mix") or summary.get("labels") or {}
    values = np.array([float(mix.get(label, 0.0)) for label in labels])
    if values.sum() <= 0:
        raise ValueError(f"{source}: holds no label mix")
    return Reference(source, values / values.sum(), summary.get("mean_top_probability"),
                     summary.get("low_confidence_share"))


def js_distance(p: np.ndarray, q: np.ndarray) -> float | None:
    """Jensen-Shannon distance, base 2, of two mixes (each normalised); None if either is empty.

    ``[1, 0]`` vs ``[1, 0]`` -> 0.0; ``[1, 0]`` vs ``[0, 1]`` -> 1.0.
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.sum() <= 0 or q.sum() <= 0:
        return None
    return float(jensenshannon(p, q, base=2))


def period_drift(tallies: Sequence[PeriodTally], reference: Reference | None,
                 js_threshold: float = JS_THRESHOLD, ratio: float = LOW_CONFIDENCE_RATIO,
                 min_sentences: int = MIN_SENTENCES) -> list[dict[str, Any]]:
    """One record per period (in the order given, oldest first): distances, shares and flags.

    "Earlier" pools every period before this one; the undated period, given last, is compared
    with all dated ones.
    """
    out = []
    earlier_counts = np.zeros_like(tallies[0].counts, dtype=np.float64) if tallies else None
    earlier_sentences = earlier_low = 0
    for tally in tallies:
        low_share = tally.low_confidence / tally.sentences if tally.sentences else 0.0
        js_reference = js_distance(tally.counts, reference.mix) if reference is not None else None
        js_earlier = js_distance(tally.counts, earlier_counts) if earlier_sentences else None
        earlier_share = earlier_low / earlier_sentences if earlier_sentences else None
        flags = []
        if tally.sentences >= min_sentences:
            for js, what in ((js_reference, "the reference"), (js_earlier, "earlier periods")):
                if js is not None and js > js_threshold:
                    flags.append(f"label mix {js:.2f} from {what} (JS distance > {js_threshold:g})")
            if earlier_share is not None and low_share > 0 and low_share >= ratio * earlier_share:
                flags.append(f"low-confidence share {low_share:.0%}, at least {ratio:g}x earlier "
                             f"periods' {earlier_share:.0%}")
        out.append({"period": tally.period, "sentences": tally.sentences, "js_reference": js_reference,
                    "js_earlier": js_earlier, "low_confidence_share": low_share,
                    "earlier_low_confidence_share": earlier_share,
                    "judged": tally.sentences >= min_sentences, "flags": flags})
        earlier_counts = earlier_counts + tally.counts
        earlier_sentences += tally.sentences
        earlier_low += tally.low_confidence
    return out


def run_drift(summary: dict[str, Any], labels: Sequence[str], reference: Reference | None,
              js_threshold: float = JS_THRESHOLD, ratio: float = LOW_CONFIDENCE_RATIO) -> dict[str, Any]:
    """The whole run's summary figures against the reference's, with the same two rules."""
    mix = np.array([float(summary["label_mix"].get(label, 0.0)) for label in labels])
    out: dict[str, Any] = {"label_mix": dict(zip(labels, mix.tolist(), strict=True)),
                           "mean_top_probability": summary["mean_top_probability"],
                           "low_confidence_share": summary["low_confidence_share"],
                           "recheck_below": summary["recheck_below"], "flags": []}
    if reference is None:
        return out
    js = js_distance(mix, reference.mix)
    out |= {"reference": reference.source,
            "reference_mix": dict(zip(labels, reference.mix.tolist(), strict=True)), "js_reference": js,
            "reference_mean_top_probability": reference.mean_top_probability,
            "reference_low_confidence_share": reference.low_confidence_share}
    if js is not None and js > js_threshold:
        out["flags"].append(f"label mix {js:.2f} from the reference (JS distance > {js_threshold:g})")
    low, ref_low = summary["low_confidence_share"], reference.low_confidence_share
    if ref_low is not None and low > 0 and low >= ratio * ref_low:
        out["flags"].append(f"low-confidence share {low:.0%}, at least {ratio:g}x the reference's "
                            f"{ref_low:.0%}")
    return out
