#!/usr/bin/python3
"""Expected metric values from scikit-learn 1.2, for tests/eval/metrics_reference_test.cc.

Every input vector is generated here deterministically (numpy's legacy RandomState, whose
streams never change), so the JSON holds both the inputs and scikit-learn's answers:

    /usr/bin/python3 tests/eval/reference/metrics_reference.py > tests/eval/reference/metrics_reference.json

Conventions mirrored from include/strata/metrics.h: a binary row is positive when
P(positive) >= threshold; log loss clips at 1e-15; rows of weight 0 are absent (so the
unweighted counts -- support, confusion matrix -- are taken over the rows with weight > 0).
"""
import json
import math
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score,
                             brier_score_loss, confusion_matrix, davies_bouldin_score,
                             explained_variance_score, f1_score, log_loss, mean_absolute_error,
                             mean_squared_error, mean_squared_log_error, median_absolute_error,
                             precision_recall_curve, precision_recall_fscore_support,
                             precision_score, r2_score, recall_score, roc_auc_score, roc_curve)
from sklearn.preprocessing import label_binarize

warnings.simplefilter("ignore")  # zero_division and undefined-metric warnings are expected
EPS = 1e-15


def num(v):
    v = float(v)
    return None if math.isnan(v) else v


def nums(a):
    return [num(v) for v in a]


def weights_or_none(w):
    return None if w is None else np.asarray(w, dtype=float)


def calibration(y, p, w):
    # scikit-learn's calibration_curve has no sample_weight; this is its binning with weights,
    # checked against calibration_curve itself for the unweighted cases below.
    bins = np.linspace(0.0, 1.0, 11)
    ids = np.searchsorted(bins[1:-1], p)
    ww = np.ones_like(p) if w is None else w
    sw = np.bincount(ids, weights=ww, minlength=10)
    sp = np.bincount(ids, weights=ww * p, minlength=10)
    sy = np.bincount(ids, weights=ww * y, minlength=10)
    count = np.bincount(ids, minlength=10)
    out = []
    for b in range(10):
        if count[b] == 0:
            out.append({"count": 0, "mean_predicted": None, "fraction_positive": None})
        else:
            out.append({"count": int(count[b]), "mean_predicted": sp[b] / sw[b],
                        "fraction_positive": sy[b] / sw[b]})
    if w is None:
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
        nonempty = [o for o in out if o["count"] > 0]
        assert np.allclose(prob_true, [o["fraction_positive"] for o in nonempty], rtol=0, atol=1e-12)
        assert np.allclose(prob_pred, [o["mean_predicted"] for o in nonempty], rtol=0, atol=1e-12)
    return out


def thresholds_brute_force(y, p, w, precision_target, recall_target):
    """Threshold choices by trying every distinct score with scikit-learn's own scorers."""
    rows = []
    for t in sorted(set(p.tolist()), reverse=True):
        pred = (p >= t).astype(int)
        rows.append((t, precision_score(y, pred, sample_weight=w, zero_division=0),
                     recall_score(y, pred, sample_weight=w, zero_division=0),
                     f1_score(y, pred, sample_weight=w, zero_division=0)))
    best_f1 = max(rows, key=lambda r: r[3])[3]
    max_f1 = next(r for r in rows if r[3] >= best_f1 - 1e-12)  # highest threshold on ties
    meeting = [r for r in rows if r[1] >= precision_target - 1e-12]
    if meeting:
        top = max(r[2] for r in meeting)
        prec = next(r for r in meeting if r[2] >= top - 1e-12)
    else:
        top = max(r[1] for r in rows)
        prec = [r for r in rows if r[1] >= top - 1e-12][-1]
    rec = next(r for r in rows if r[2] >= recall_target - 1e-12)
    return {"max_f1": {"threshold": max_f1[0], "f1": max_f1[3]},
            "precision_target": precision_target,
            "precision": {"threshold": prec[0], "precision": prec[1], "recall": prec[2],
                          "met": bool(meeting)},
            "recall_target": recall_target,
            "recall": {"threshold": rec[0], "recall": rec[2]}}


def binary_case(name, y, p, w=None, threshold=0.5, precision_target=0.8, recall_target=0.9):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    w = weights_or_none(w)
    keep = np.ones(len(y), dtype=bool) if w is None else w != 0
    yk, pk = y[keep], p[keep]
    wk = None if w is None else w[keep]
    pred = (pk >= threshold).astype(int)
    prec, rec, f1, _ = precision_recall_fscore_support(yk, pred, labels=[0, 1], sample_weight=wk,
                                                       zero_division=0)
    fpr, tpr, thr = roc_curve(yk, pk, sample_weight=wk, drop_intermediate=False)
    pr_prec, pr_rec, pr_thr = precision_recall_curve(yk, pk, sample_weight=wk)
    two_classes = len(set(yk.tolist())) == 2
    expected = {
        "precision": precision_score(yk, pred, sample_weight=wk, zero_division=0),
        "recall": recall_score(yk, pred, sample_weight=wk, zero_division=0),
        "accuracy": accuracy_score(yk, pred, sample_weight=wk),
        "f1_score": f1_score(yk, pred, sample_weight=wk, zero_division=0),
        "log_loss": log_loss(yk, pk, eps=EPS, sample_weight=wk, labels=[0, 1]),
        "roc_auc": roc_auc_score(yk, pk, sample_weight=wk) if two_classes else None,
        "pr_auc": average_precision_score(yk, pk, sample_weight=wk) if yk.sum() > 0 else None,
        "balanced_accuracy": balanced_accuracy_score(yk, pred, sample_weight=wk),
        "brier_score": brier_score_loss(yk, pk, sample_weight=wk),
        "per_class": [{"precision": prec[c], "recall": rec[c], "f1": f1[c],
                       "support": int((yk == c).sum())} for c in range(2)],
        "confusion": confusion_matrix(yk, pred, labels=[0, 1]).tolist(),
        "roc_curve": {"threshold": nums(thr), "fpr": nums(fpr), "tpr": nums(tpr)},
        # precision_recall_curve lists thresholds ascending; precision[i] belongs to pr_thr[i].
        "pr_curve": {"threshold": nums(pr_thr), "precision": nums(pr_prec[:-1]),
                     "recall": nums(pr_rec[:-1])},
        "calibration": calibration(yk, pk, wk),
    }
    if two_classes:
        expected["threshold_choice"] = thresholds_brute_force(yk, pk, wk, precision_target,
                                                              recall_target)
    return {"name": name, "kind": "binary", "y": y.tolist(), "p": p.tolist(),
            "w": None if w is None else w.tolist(), "threshold": threshold,
            "expected": {k: (num(v) if isinstance(v, (float, np.floating)) else v)
                         for k, v in expected.items()}}


def multiclass_case(name, y, P, w=None):
    y = np.asarray(y, dtype=int)
    P = np.asarray(P, dtype=float)
    k = P.shape[1]
    w = weights_or_none(w)
    keep = np.ones(len(y), dtype=bool) if w is None else w != 0
    yk, Pk = y[keep], P[keep]
    wk = None if w is None else w[keep]
    labels = list(range(k))
    pred = np.argmax(Pk, axis=1)
    prec, rec, f1, _ = precision_recall_fscore_support(yk, pred, labels=labels, sample_weight=wk,
                                                       zero_division=0)
    onehot = label_binarize(yk, classes=labels)
    expected = {
        "precision": precision_score(yk, pred, labels=labels, average="macro", sample_weight=wk,
                                     zero_division=0),
        "recall": recall_score(yk, pred, labels=labels, average="macro", sample_weight=wk,
                               zero_division=0),
        "accuracy": accuracy_score(yk, pred, sample_weight=wk),
        "f1_score": f1_score(yk, pred, labels=labels, average="macro", sample_weight=wk,
                             zero_division=0),
        "log_loss": log_loss(yk, Pk, eps=EPS, sample_weight=wk, labels=labels),
        "roc_auc": roc_auc_score(yk, Pk, multi_class="ovr", average="macro", labels=labels,
                                 sample_weight=wk),
        "pr_auc": average_precision_score(onehot, Pk, average="macro", sample_weight=wk),
        "balanced_accuracy": balanced_accuracy_score(yk, pred, sample_weight=wk),
        "brier_score": float(np.average(((Pk - onehot) ** 2).sum(axis=1), weights=wk)),
        "per_class": [{"precision": prec[c], "recall": rec[c], "f1": f1[c],
                       "support": int((yk == c).sum())} for c in range(k)],
        "confusion": confusion_matrix(yk, pred, labels=labels).tolist(),
    }
    return {"name": name, "kind": "multiclass", "k": k, "y": y.tolist(),
            "p": P.reshape(-1).tolist(), "w": None if w is None else w.tolist(),
            "expected": {k_: (num(v) if isinstance(v, (float, np.floating)) else v)
                         for k_, v in expected.items()}}


def regression_case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    w = weights_or_none(w)
    mse = mean_squared_error(y, p, sample_weight=w)
    msle = (mean_squared_log_error(y, p, sample_weight=w)
            if (y >= 0).all() and (p >= 0).all() else None)
    expected = {
        "mean_absolute_error": mean_absolute_error(y, p, sample_weight=w),
        "mean_squared_error": mse,
        "root_mean_squared_error": math.sqrt(mse),
        "mean_squared_log_error": msle,
        "median_absolute_error": median_absolute_error(y, p, sample_weight=w),
        "r2_score": r2_score(y, p, sample_weight=w),
        "explained_variance": explained_variance_score(y, p, sample_weight=w),
    }
    return {"name": name, "kind": "regression", "y": y.tolist(), "p": p.tolist(),
            "w": None if w is None else w.tolist(),
            "expected": {k: (None if v is None else num(v)) for k, v in expected.items()}}


def clustering_case(name, X, labels):
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels, dtype=int)
    k = int(labels.max()) + 1
    centroids = np.array([X[labels == c].mean(axis=0) for c in range(k)])
    msd = float(np.mean(((X - centroids[labels]) ** 2).sum(axis=1)))
    return {"name": name, "kind": "clustering", "dims": X.shape[1], "k": k,
            "points": X.reshape(-1).tolist(), "cluster": labels.tolist(),
            "centroids": centroids.reshape(-1).tolist(),
            "expected": {"davies_bouldin_index": davies_bouldin_score(X, labels),
                         "mean_squared_distance": msd}}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    rs = np.random.RandomState(20240601)
    cases = []
    cases.append(binary_case("doc_example", [0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3]))

    # Continuous scores with signal.
    n = 500
    y = (rs.rand(n) < 0.3).astype(int)
    p = 1 / (1 + np.exp(-(rs.randn(n) + 1.5 * y - 1)))
    w = rs.uniform(0.1, 3.0, n)
    cases.append(binary_case("random", y, p))
    cases.append(binary_case("random_weighted", y, p, w, threshold=0.35))

    # Heavy ties: scores on a 0.1 grid, including values exactly on calibration bin edges
    # and on the threshold; a few zero weights.
    n = 300
    y = (rs.rand(n) < 0.4).astype(int)
    p = np.clip(np.round(rs.rand(n) * 0.6 + 0.3 * y, 1), 0, 1)
    w = rs.uniform(0.0, 2.0, n)
    w[::17] = 0.0
    cases.append(binary_case("ties", y, p, precision_target=0.7, recall_target=0.75))
    cases.append(binary_case("ties_weighted", y, p, w, precision_target=0.7, recall_target=0.75))
    cases.append(binary_case("ties_integer_weights", y, p, rs.randint(1, 4, n).astype(float)))

    # Imbalanced (5% positives), probabilities that hit 0 and 1 exactly (log loss clipping).
    n = 400
    y = (rs.rand(n) < 0.05).astype(int)
    p = np.clip(rs.rand(n) * 0.5 + 0.4 * y - 0.05, 0, 1)
    p[:5] = [0.0, 1.0, 0.0, 1.0, 0.5]
    cases.append(binary_case("imbalanced_extremes", y, p, precision_target=0.99,
                             recall_target=0.5))
    cases.append(binary_case("imbalanced_extremes_weighted", y, p, rs.uniform(0.5, 1.5, n),
                             threshold=0.2, precision_target=0.99, recall_target=0.5))

    # One class only: AUCs undefined.
    cases.append(binary_case("one_class_negative", [0, 0, 0, 0], [0.1, 0.2, 0.6, 0.3]))
    cases.append(binary_case("one_class_positive", [1, 1, 1], [0.1, 0.9, 0.6]))

    for k, n in [(3, 300), (4, 400), (5, 500)]:
        y = rs.randint(0, k, n)
        logits = rs.randn(n, k) + 1.2 * np.eye(k)[y]
        cases.append(multiclass_case(f"multiclass_{k}", y, softmax(logits)))
        cases.append(multiclass_case(f"multiclass_{k}_weighted", y, softmax(logits),
                                     rs.uniform(0.2, 2.5, n)))
        # Ties: logits from a small integer grid, so many rows share probability vectors,
        # and argmax ties (first maximum wins).
        tied = softmax(rs.randint(0, 3, (n, k)).astype(float) + np.eye(k)[y])
        cases.append(multiclass_case(f"multiclass_{k}_ties", y, tied))
        w = rs.uniform(0.0, 2.0, n)
        w[::13] = 0.0
        cases.append(multiclass_case(f"multiclass_{k}_ties_weighted", y, tied, w))

    for n in [201, 200]:
        y = rs.gamma(2.0, 3.0, n)
        p = np.maximum(y + rs.randn(n) * 2.0, 0)
        cases.append(regression_case(f"regression_{n}", y, p))
        cases.append(regression_case(f"regression_{n}_weighted", y, p, rs.uniform(0.1, 3.0, n)))
    y = rs.randn(50) * 10
    cases.append(regression_case("regression_negative", y, y + rs.randn(50)))
    cases.append(regression_case("regression_ties", np.round(rs.rand(40) * 5),
                                 np.round(rs.rand(40) * 5),
                                 rs.randint(1, 3, 40).astype(float)))
    cases.append(regression_case("regression_constant_exact", [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]))
    cases.append(regression_case("regression_constant_off", [2.0, 2.0, 2.0], [1.0, 2.0, 3.0]))
    cases.append(regression_case("regression_single", [3.0], [1.0]))

    for k, d, n in [(3, 2, 150), (4, 5, 400), (5, 3, 250)]:
        centers = rs.randn(k, d) * 4
        labels = rs.randint(0, k, n)
        labels[:k] = np.arange(k)  # every cluster has points
        X = centers[labels] + rs.randn(n, d)
        cases.append(clustering_case(f"clustering_{k}", X, labels))

    json.dump({"generator": "tests/eval/reference/metrics_reference.py",
               "sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases},
              sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
