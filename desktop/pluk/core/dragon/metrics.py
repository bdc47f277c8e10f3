"""The DRAGON metrics as pure functions: AUC, Cohen's kappa, RSMAPE and the two NER F1 scores.

Each one reproduces what the official scorer, dragon_eval 0.2.11, computes through scikit-learn
and seqeval 1.2.2 (docs/dragon.md §4), quirks included, without depending on either; the tests
run dragon_eval itself as the reference. On well-formed inputs 0.2.11 and 0.2.6 agree. On
degenerate ones Pluk follows 0.2.11 (docs/dragon-scoring.md):
- an AUC whose truth holds one class is 0.0 (0.2.6 gave NaN, or scikit-learn's error);
- a null/NaN regression prediction is imputed as 0 (0.2.6 scored the whole task NaN).
Where 0.2.11 itself returns NaN (a kappa whose truth and predictions hold one single label, NER
without any entity) or crashes, these raise DragonError with a plain message instead, so a NaN
can never slip silently into a benchmark table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from pluk.core.dragon.errors import DragonError, shorten

Entity = tuple[str, int, int]  # (type, first token, last token) in the concatenated sequence

# dragon_eval 0.2.11's stand-ins for what is undefined (0.2.6 gave an error or NaN instead).
ONE_CLASS_AUC = 0.0
IMPUTED_PREDICTION = 0.0


def roc_auc(labels: Sequence[bool | int], scores: Sequence[float]) -> float:
    """Area under the ROC curve, ties counted as one half (= sklearn `roc_auc_score`).

    Computed as the Mann-Whitney statistic on average ranks, so a constant score gives 0.5 and
    hard 0/1 scores give (sensitivity + specificity) / 2. A truth of one class only gives 0.0,
    as dragon_eval 0.2.11 scores it.
    """
    _check_same_length(labels, scores, "labels", "scores")
    if not labels:
        raise DragonError("AUC needs at least one case")
    if any(label not in (0, 1) for label in labels):  # True == 1 and False == 0
        raise DragonError("AUC labels must be booleans (or 0/1)")
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if not np.all(np.isfinite(s)):
        raise DragonError("AUC scores must be finite numbers")
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        # Undefined: scikit-learn returns NaN, and dragon_eval 0.2.11 scores that NaN as 0.0.
        return ONE_CLASS_AUC
    rank_sum_pos = float(_average_ranks(s)[y].sum())
    return (rank_sum_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = np.repeat((starts + 1 + ends) / 2.0, ends - starts)
    return ranks


def cohen_kappa(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], weights: str | None = None
) -> float:
    """Cohen's kappa, unweighted or with linear weights (= sklearn `cohen_kappa_score`).

    The label order is the sorted union of truth and predicted labels: a predicted label that
    never occurs in the truth still adds a row and a column. With string labels "ordinal" thus
    means sorted string order (contradiction < entailment < neutral), which is what the
    official scores use.
    """
    if weights not in (None, "linear"):
        raise ValueError(f"weights must be None or 'linear', not {weights!r}")
    _check_same_length(y_true, y_pred, "y_true", "y_pred")
    if not y_true:
        raise DragonError("Cohen's kappa needs at least one case")
    try:
        labels = sorted(set(y_true) | set(y_pred))
    except TypeError:
        # sklearn refuses this as well ("Mix of label input types").
        raise DragonError("Cohen's kappa needs labels of one type (all strings)") from None
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    observed = np.zeros((k, k), dtype=float)
    np.add.at(observed, ([index[t] for t in y_true], [index[p] for p in y_pred]), 1.0)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    positions = np.arange(k)
    if weights is None:
        weight = 1.0 - np.eye(k)
    else:
        weight = np.abs(positions[:, None] - positions[None, :]).astype(float)
    expected_disagreement = float((weight * expected).sum())
    if expected_disagreement == 0.0:
        # Truth and predictions both use one single label: scikit-learn returns NaN, and
        # dragon_eval 0.2.11 keeps it (it maps only a NaN AUC to 0).
        raise DragonError(
            "Cohen's kappa is undefined: truth and predictions hold one and the same label "
            "(dragon_eval 0.2.11 scores this NaN)"
        )
    return 1.0 - float((weight * observed).sum()) / expected_disagreement


def rsmape(
    y_true: Sequence[float | None], y_pred: Sequence[float | None], epsilon: float
) -> float:
    """1 - mean |y - ŷ| / (|y| + |ŷ| + epsilon) over the pairs whose truth is a number.

    Pairs with a null/NaN truth are dropped (absent lesions in multi-label regression). A
    null/NaN prediction counts as 0, as dragon_eval 0.2.11 imputes it (0.2.6 scored the whole
    task NaN): against a truth y it costs |y| / (|y| + epsilon).
    """
    _check_same_length(y_true, y_pred, "y_true", "y_pred")
    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, not {epsilon!r}")
    kept = [(t, p) for t, p in zip(y_true, y_pred) if not _is_missing(t)]
    if not kept:
        raise DragonError(
            "RSMAPE needs at least one case whose truth is a number "
            "(dragon_eval 0.2.11 scores this NaN)"
        )
    t = np.array([t for t, _ in kept], dtype=float)
    p = np.array([IMPUTED_PREDICTION if _is_missing(p) else p for _, p in kept], dtype=float)
    return 1.0 - float(np.mean(np.abs(t - p) / (np.abs(t) + np.abs(p) + epsilon)))


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_bio_tag(tag: object) -> bool:
    """True for "O", "B-<type>" and "I-<type>" with a non-empty type."""
    return tag == "O" or (
        isinstance(tag, str) and len(tag) > 2 and tag[0] in "BI" and tag[1] == "-"
    )


def _check_tag(tag: object) -> None:
    # seqeval only warns about malformed tags and then chunks them by their first character;
    # a malformed tag here is a bug in whatever wrote it, so it stops the evaluation.
    if not is_bio_tag(tag):
        raise DragonError(f"not a BIO tag: {tag!r} (expected 'O', 'B-<type>' or 'I-<type>')")


def bio_entities(tags: Sequence[str]) -> list[Entity]:
    """The entities in one BIO sequence, chunked like seqeval 1.2.2's default (lenient) mode.

    The type is everything after the first "-". An entity starts at B-X, or at I-X after O or
    after another type (a stray I-X starts an entity rather than being dropped), and ends
    before B-, O or a change of type.
    """
    entities: list[Entity] = []
    current: str | None = None
    start = 0
    for i, tag in enumerate([*tags, "O"]):  # the sentinel closes a trailing entity
        _check_tag(tag)
        prefix, kind = (tag[0], tag[2:]) if tag != "O" else ("O", None)
        if current is not None and (prefix != "I" or kind != current):
            entities.append((current, start, i - 1))
            current = None
        if prefix != "O" and current is None:
            current, start = kind, i
    return entities


def ner_f1_macro(
    true_docs: Sequence[Sequence[str]], pred_docs: Sequence[Sequence[str]]
) -> float:
    """Entity-level F1 averaged over types (= seqeval 1.2.2 `f1_score(average="macro")`).

    The documents are concatenated with an "O" between them, and the macro runs over the union
    of the types in truth and predictions, so every invented type adds a 0 to the mean.
    """
    counts = _type_counts(true_docs, pred_docs)
    if not counts:
        raise DragonError(
            "NER F1 is undefined: neither truth nor predictions hold an entity "
            "(dragon_eval 0.2.11 scores this NaN)"
        )
    return float(np.mean([_f1(*counts[kind]) for kind in sorted(counts)]))


def multi_label_ner_f1_weighted(
    true_docs: Sequence[Sequence[Sequence[str]]], pred_docs: Sequence[Sequence[Sequence[str]]]
) -> float:
    """dragon_eval's multi-label NER score: per truth type, a support-weighted seqeval F1.

    Types are the truth tags without their B-/I- prefix; predicted-only types are ignored. For
    each type L every token keeps the first of its tags that contains L as a substring (so
    "1-BCC" also picks "11-BCC", as dragon_eval does), else "O". The weighted F1 of those
    single-label sequences is then averaged over L, weighted by their truth entity counts.
    """
    _check_docs(true_docs, pred_docs)
    for doc in (*true_docs, *pred_docs):
        for token in doc:
            for tag in token:
                _check_tag(tag)
    kinds = sorted({tag[2:] for doc in true_docs for token in doc for tag in token if tag != "O"})
    if not kinds:
        # dragon_eval 0.2.11 crashes here (numpy: "Weights sum to zero").
        raise DragonError("multi-label NER F1 is undefined: the truth holds no entity")
    weighted_sum = 0.0
    support_sum = 0
    for kind in kinds:
        true_single = [[_first_containing(token, kind) for token in doc] for doc in true_docs]
        pred_single = [[_first_containing(token, kind) for token in doc] for doc in pred_docs]
        counts = _type_counts(true_single, pred_single)
        # seqeval's weighted average gives types without truth support a weight of 0, and the
        # outer mean weights this type's F1 by the same total support, so the two cancel.
        for tp, n_pred, n_true in counts.values():
            weighted_sum += n_true * _f1(tp, n_pred, n_true)
            support_sum += n_true
    return weighted_sum / support_sum


def _first_containing(token_tags: Iterable[str], kind: str) -> str:
    for tag in token_tags:
        if kind in tag:
            return tag
    return "O"


def _type_counts(
    true_docs: Sequence[Sequence[str]], pred_docs: Sequence[Sequence[str]]
) -> dict[str, tuple[int, int, int]]:
    """Per entity type: (true positives, predicted entities, truth entities)."""
    _check_docs(true_docs, pred_docs)
    true_entities = set(bio_entities(_concatenate(true_docs)))
    pred_entities = set(bio_entities(_concatenate(pred_docs)))
    n_true = Counter(kind for kind, _, _ in true_entities)
    n_pred = Counter(kind for kind, _, _ in pred_entities)
    hits = Counter(kind for kind, _, _ in true_entities & pred_entities)
    return {kind: (hits[kind], n_pred[kind], n_true[kind]) for kind in n_true | n_pred}


def _concatenate(docs: Sequence[Sequence[str]]) -> list[str]:
    # seqeval joins documents with an "O" so that no entity runs across a document boundary.
    joined: list[str] = []
    for doc in docs:
        joined.extend(doc)
        joined.append("O")
    return joined


def _f1(tp: int, n_pred: int, n_true: int) -> float:
    # Written as seqeval computes it (precision and recall first) to match it to the last bit.
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    if precision + recall == 0.0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _check_docs(true_docs: Sequence[Sequence], pred_docs: Sequence[Sequence]) -> None:
    _check_same_length(true_docs, pred_docs, "truth documents", "predicted documents")
    bad = [i for i, (t, p) in enumerate(zip(true_docs, pred_docs)) if len(t) != len(p)]
    if bad:
        raise DragonError(
            f"NER: truth and prediction differ in token count in document(s) {shorten(bad)}"
        )


def _check_same_length(a: Sequence, b: Sequence, name_a: str, name_b: str) -> None:
    if len(a) != len(b):
        raise DragonError(f"{name_a} and {name_b} differ in length ({len(a)} vs {len(b)})")

