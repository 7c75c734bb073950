#!/usr/bin/python3
"""Reference results for kmeans_test.cc, computed with scikit-learn 1.2 (python3-sklearn).

Regenerate from the repository root with
    /usr/bin/python3 tests/models/reference/kmeans_reference.py \
        > tests/models/reference/kmeans_reference.json

The matrix: the numeric (integer or decimal) columns of a bundled file, label excluded, in
file order, standardised with the mean and population (ddof=0) standard deviation, as
kmeans_test.cc builds it. "lloyd" cases start scikit-learn's Lloyd iterations from given
rows as centroids and run them to strict convergence (tol=0), so Strata started from the
same rows must reach the same fixed point. "plusplus" records scikit-learn's k-means++
(n_init=1) over ten seeds, for a quality comparison of the initialisation.
"""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def load(name, label):
    with open(os.path.join(ROOT, "examples", "data", name), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]

    def is_number(text):
        try:
            float(text)
            return True
        except ValueError:
            return False

    columns = []
    for i, h in enumerate(header):
        values = [r[i] for r in body]
        if h != label and all(is_number(v) for v in values):
            columns.append([float(v) for v in values])
    x = np.array(columns, dtype=np.float64).T
    return (x - x.mean(axis=0)) / x.std(axis=0)


def lloyd(name, label, k, init_rows, weighted):
    x = load(name, label)
    w = np.array([1.0 + (r % 3) for r in range(x.shape[0])]) if weighted else None
    km = KMeans(n_clusters=k, init=x[init_rows], n_init=1, max_iter=300, tol=0.0,
                algorithm="lloyd").fit(x, sample_weight=w)
    total = x.shape[0] if w is None else w.sum()
    return {"file": name, "label": label, "k": k, "init_rows": init_rows, "weighted": weighted,
            "inertia": float(km.inertia_), "mean_squared_distance": float(km.inertia_ / total),
            "n_iter": int(km.n_iter_), "centroids": km.cluster_centers_.tolist(),
            "labels": km.labels_.tolist()}


def plusplus(name, label, k):
    x = load(name, label)
    inertias = [float(KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=300, tol=0.0,
                             random_state=seed).fit(x).inertia_) for seed in range(10)]
    return {"file": name, "label": label, "k": k, "rows": x.shape[0],
            "sklearn_inertias": inertias, "sklearn_mean_inertia": float(np.mean(inertias))}


def main():
    out = {
        "sklearn_version": sklearn.__version__,
        "lloyd": {
            "churn_k4": lloyd("churn.csv", "churn", 4, [5, 1234, 2500, 3777], False),
            "churn_k6_weighted": lloyd("churn.csv", "churn", 6, [1, 11, 111, 1111, 2222, 4444],
                                       True),
            "hpc_k5": lloyd("hpc_data.csv", "class", 5, [0, 100, 200, 300, 400], False),
        },
        "plusplus": {
            "churn_k8": plusplus("churn.csv", "churn", 8),
            "hpc_k10": plusplus("hpc_data.csv", "class", 10),
        },
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
