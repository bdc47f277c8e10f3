"""Agreement metrics of a validation, each with a seeded percentile bootstrap 95% interval.

Owns the per-field statistics: accuracy, Cohen's kappa and macro F1 with a confusion matrix and
per-label F1 for categorical fields; MAE, mean error and tolerance accuracy for numbers; exact-match
accuracy for text. The bootstrap resamples reports with the same index rows for every field.
"""

from __future__ import annotations

from typing import Any

import numpy as np


DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20240601


def _interval(samples: np.ndarray) -> tuple[float | None, float | None]:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return None, None
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def _metric(value: float | None, samples: np.ndarray | None, **extra: Any) -> dict[str, Any]:
    low, high = _interval(samples) if samples is not None and value is not None else (None, None)
    out = {"value": value, "ci_low": low, "ci_high": high}
    if samples is not None and value is not None:
        used = int(np.isfinite(samples).sum())
        if used < samples.size:
            out["ci_resamples_used"] = used
    out.update(extra)
    return out


def _resample_indices(n: int, resamples: int, seed: int):
    """Blocks of bootstrap index rows, the same for every field of one validation."""
    rng = np.random.default_rng(seed)
    block = max(1, min(resamples, 2_000_000 // max(n, 1)))
    done = 0
    while done < resamples:
        size = min(block, resamples - done)
        yield rng.integers(0, n, size=(size, n))
        done += size


def confusion_stats(matrices: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, unweighted kappa and macro F1 of a stack of confusion matrices (…, k, k).

    Kappa is the formula of the DRAGON scorer's cohen_kappa; macro F1 averages over the labels that
    occur in truth or prediction, as scikit-learn does. Undefined values are NaN.
    """
    m = np.asarray(matrices, dtype=float)
    n = m.sum(axis=(-2, -1))
    diag = np.diagonal(m, axis1=-2, axis2=-1)
    rows, cols = m.sum(axis=-1), m.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = diag.sum(axis=-1) / n
        expected_disagreement = 1.0 - (rows * cols).sum(axis=-1) / n**2
        kappa = 1.0 - (1.0 - accuracy) / expected_disagreement
        kappa = np.where(expected_disagreement > 1e-15, kappa, np.nan)
        precision = np.where(cols > 0, diag / cols, 0.0)
        recall = np.where(rows > 0, diag / rows, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        present = (rows + cols) > 0
        macro_f1 = (f1 * present).sum(axis=-1) / present.sum(axis=-1)
    return {"accuracy": accuracy, "kappa": kappa, "macro_f1": macro_f1}


def categorical_metrics(truth: list[str], pred: list[str], labels: list[str], *,
                        resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                        ) -> dict[str, Any]:
    """Accuracy, Cohen's kappa, macro F1 (with bootstrap CIs), confusion matrix, per-label F1."""
    index = {label: i for i, label in enumerate(labels)}
    k, n = len(labels), len(truth)
    codes = np.array([index[t] * k + index[p] for t, p in zip(truth, pred)], dtype=np.int64)
    matrix = np.bincount(codes, minlength=k * k).reshape(k, k)
    point = confusion_stats(matrix)
    # The same formula as the DRAGON scorer's cohen_kappa (tests hold them equal); undefined
    # when truth and predictions hold one single label, or there are no cases.
    kappa: float | None = float(point["kappa"]) if n and np.isfinite(point["kappa"]) else None
    kappa_note = None if kappa is not None else (
        "Cohen's kappa needs at least one case" if not n else
        "Cohen's kappa is undefined: truth and predictions hold one and the same label")
    samples = {"accuracy": [], "kappa": [], "macro_f1": []}
    if n and resamples:
        for block in _resample_indices(n, resamples, seed):
            offsets = (np.arange(block.shape[0]) * k * k)[:, None]
            stacked = np.bincount((codes[block] + offsets).ravel(),
                                  minlength=block.shape[0] * k * k).reshape(-1, k, k)
            for name, values in confusion_stats(stacked).items():
                samples[name].append(values)
    arrays = {name: np.concatenate(v) if v else None for name, v in samples.items()}
    rows, cols, diag = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    per_label = []
    for i, label in enumerate(labels):
        p = diag[i] / cols[i] if cols[i] else 0.0
        r = diag[i] / rows[i] if rows[i] else 0.0
        per_label.append({"label": label, "support": int(rows[i]), "predicted": int(cols[i]),
                          "precision": float(p), "recall": float(r),
                          "f1": float(2 * p * r / (p + r)) if p + r else 0.0})
    metrics = {
        "accuracy": _metric(float(point["accuracy"]) if n else None, arrays["accuracy"]),
        "kappa": _metric(kappa, arrays["kappa"], **({"note": kappa_note} if kappa_note else {})),
        "macro_f1": _metric(float(point["macro_f1"]) if n else None, arrays["macro_f1"]),
    }
    return {"metrics": metrics, "confusion": {"labels": labels, "matrix": matrix.tolist()},
            "per_label": per_label}


def numeric_metrics(truth: list[float | None], pred: list[float | None], tolerance: float, *,
                    resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                    ) -> dict[str, Any]:
    """MAE and mean error over the pairs where both are numbers; tolerance accuracy over all.

    A pair agrees within tolerance when both are null, or both are numbers at most `tolerance`
    apart; a number against a null never agrees.
    """
    n = len(truth)
    both = np.array([t is not None and p is not None for t, p in zip(truth, pred)])
    t = np.array([x if x is not None else 0.0 for x in truth], dtype=float)
    p = np.array([x if x is not None else 0.0 for x in pred], dtype=float)
    error = np.where(both, p - t, 0.0)
    neither = np.array([x is None and y is None for x, y in zip(truth, pred)])
    agree = neither | (both & (np.abs(error) <= tolerance + 1e-9 * np.maximum(1, np.abs(t))))

    def stats(index: np.ndarray | None) -> tuple[Any, Any, Any]:
        b, e, a = (both, error, agree) if index is None else (both[index], error[index],
                                                               agree[index])
        count = b.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mae = np.where(count > 0, np.abs(e).sum(axis=-1) / count, np.nan)
            bias = np.where(count > 0, e.sum(axis=-1) / count, np.nan)
        return mae, bias, a.mean(axis=-1)

    mae, bias, tol_acc = stats(None)
    samples: list[tuple[Any, Any, Any]] = []
    if n and resamples:
        samples = [stats(block) for block in _resample_indices(n, resamples, seed)]
    cat = (lambda i: np.concatenate([s[i] for s in samples])) if samples else (lambda i: None)
    value = (lambda x: float(x) if n and np.isfinite(x) else None)
    return {
        "metrics": {
            "mae": _metric(value(mae), cat(0)),
            "mean_error": _metric(value(bias), cat(1)),
            "tolerance_accuracy": _metric(value(tol_acc), cat(2), tolerance=tolerance),
        },
        "counts": {"both_numbers": int(both.sum()), "both_null": int(neither.sum()),
                   "truth_null_only": int(sum(x is None and y is not None
                                              for x, y in zip(truth, pred))),
                   "prediction_null_only": int(sum(x is not None and y is None
                                                   for x, y in zip(truth, pred)))},
    }


def exact_metrics(agree: list[bool], resamples: int, seed: int) -> dict[str, Any]:
    values = np.array(agree, dtype=float)
    samples = None
    if values.size and resamples:
        samples = np.concatenate([values[b].mean(axis=-1)
                                  for b in _resample_indices(values.size, resamples, seed)])
    return {"metrics": {"accuracy": _metric(float(values.mean()) if values.size else None,
                                            samples)}}
