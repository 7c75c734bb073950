#!/usr/bin/python3
"""Reference fits for Strata's DNN_CLASSIFIER / DNN_REGRESSOR tests (scikit-learn 1.2 MLP).

Writes dnn_reference.json next to this script; tests/models/dnn_test.cc reads it. Run with
Debian's /usr/bin/python3 (python3-sklearn 1.2) from anywhere:

    /usr/bin/python3 tests/models/reference/dnn_reference.py

Networks start from random weights and visit the rows in a random order, so two
implementations never agree weight for weight; what must agree is how well the same
network, trained the same way, predicts held-out rows. Both sides use the same matrix: the
numeric columns of a bundled data set (examples/data, every value present), in file order,
standardised with the population standard deviation; rows with i % 4 == 0 are the test
rows, the others train. The regression label is standardised for scikit-learn as Strata
does internally (TransformedTargetRegressor), and RMSE is reported in the label's units.

Objectives line up: scikit-learn adds alpha/2 |W|^2 / B to each batch's mean loss, Strata
adds l2_reg |W|^2 (TensorFlow's form, which BigQuery ML runs), so l2_reg = alpha / (2 B).
Both train a fixed number of epochs (no early stopping) with ADAM, learn_rate 0.001.
"""
import csv
import json
import os

import warnings

import numpy as np
import sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

CASES = [
    # name, file, label, numeric columns, task, hidden, alpha, batch, epochs
    ("hpc", "hpc_data.csv", "class",
     ["compounds", "input_fields", "iterations", "num_pending", "hour"],
     "classification", [64], 0.64, 32, 60),
    ("ames", "ames.csv", "Sale_Price",
     ["Lot_Frontage", "Lot_Area", "Year_Built", "Year_Remod_Add", "Gr_Liv_Area", "Full_Bath",
      "Bedroom_AbvGr", "TotRms_AbvGrd", "Fireplaces", "Garage_Cars", "Garage_Area"],
     "regression", [64, 32], 0.64, 32, 60),
]


def load(name, label, columns):
    with open(os.path.join(ROOT, "examples", "data", name), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in columns] for r in rows])
    y = [r[label] for r in rows]
    return x, y


def main():
    warnings.simplefilter("ignore")
    out = {"sklearn": sklearn.__version__, "cases": []}
    for name, file, label, columns, task, hidden, alpha, batch, epochs in CASES:
        x, y = load(file, label, columns)
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        test = np.arange(len(x)) % 4 == 0
        scores = []
        for seed in range(5):
            common = dict(hidden_layer_sizes=tuple(hidden), alpha=alpha, batch_size=batch,
                          learning_rate_init=0.001, max_iter=epochs, tol=0, n_iter_no_change=10**6,
                          shuffle=True, random_state=seed)
            if task == "classification":
                classes = sorted(set(y))
                yi = np.array([classes.index(v) for v in y])
                m = MLPClassifier(**common).fit(x[~test], yi[~test])
                scores.append(log_loss(yi[test], m.predict_proba(x[test]), labels=range(len(classes))))
            else:
                yv = np.array([float(v) for v in y])
                m = TransformedTargetRegressor(MLPRegressor(**common), transformer=StandardScaler())
                m.fit(x[~test], yv[~test])
                scores.append(mean_squared_error(yv[test], m.predict(x[test])) ** 0.5)
        out["cases"].append({
            "name": name, "file": file, "label": label, "columns": columns, "task": task,
            "hidden_units": hidden, "l2_reg": alpha / (2 * batch), "batch_size": batch,
            "epochs": epochs, "metric": "log_loss" if task == "classification" else "rmse",
            "sklearn_scores": scores, "sklearn_mean": float(np.mean(scores)),
            "sklearn_std": float(np.std(scores))})
    with open(os.path.join(HERE, "dnn_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
