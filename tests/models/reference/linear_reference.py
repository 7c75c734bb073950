#!/usr/bin/python3
"""Reference fits for Strata's LINEAR_REG and LOGISTIC_REG tests (scikit-learn 1.2).

Writes linear_reference.json next to this script; tests/models/linear_reference_test.cc
reads it. Run with Debian's /usr/bin/python3 (python3-sklearn 1.2) from anywhere:

    /usr/bin/python3 tests/models/reference/linear_reference.py [--logistic-only]

The feature matrix is built the same simple way here and in the test: the numeric columns
of a bundled data set (examples/data, every value present), in file order, standardised
with the population standard deviation. Row weights, where used, are
w_i = 0.5 + 0.25 * (i % 5). Strata's objectives and scikit-learn's estimators line up as:

  LINEAR_REG   1/2 sum w (y - yhat)^2 + l1 |b|_1 + l2/2 |b|^2
               LinearRegression; Ridge(alpha=l2); Lasso/ElasticNet with
               alpha = (l1 + l2) / sum(w), l1_ratio = l1 / (l1 + l2)
  LOGISTIC_REG sum w logloss + l2/2 |b|^2 + l1 |b|_1
               LogisticRegression(C = 1/l2) (newton-cg) or (C = 1/l1, penalty='l1', saga);
               binary for k = 2, multinomial for k > 2
"""
import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression, LogisticRegression,
                                  Ridge)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def load(name, label):
    with open(os.path.join(ROOT, "examples", "data", name), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    columns = []
    for j, column in enumerate(header):
        if column == label:
            continue
        try:
            [float(r[j]) for r in rows]
        except ValueError:
            continue
        columns.append(column)
    x = np.array([[float(r[header.index(c)]) for c in columns] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    labels = [r[header.index(label)] for r in rows]
    return header, rows, columns, np.asfortranarray(x), labels


def weights(n):
    return 0.5 + 0.25 * (np.arange(n) % 5)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def regression_cases():
    _, _, columns, x, labels = load("ames.csv", "Sale_Price")
    y = np.array([float(v) for v in labels])
    n = len(y)
    w = weights(n)
    cases = []

    def add(name, model, l1, l2, weighted):
        sw = w if weighted else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y, sample_weight=sw)
        cases.append({"name": name, "l1_reg": l1, "l2_reg": l2, "weighted": weighted,
                      "coefficients": floats(model.coef_),
                      "intercept": float(model.intercept_)})

    add("ols", LinearRegression(), 0.0, 0.0, False)
    add("ols_weighted", LinearRegression(), 0.0, 0.0, True)
    add("ridge", Ridge(alpha=50.0, solver="cholesky"), 0.0, 50.0, False)
    add("ridge_weighted", Ridge(alpha=50.0, solver="cholesky"), 0.0, 50.0, True)
    l1 = 3.0e6
    add("lasso", Lasso(alpha=l1 / n, tol=1e-14, max_iter=1000000), l1, 0.0, False)
    l1, l2 = 2.0e6, 400.0
    add("elastic_net_weighted",
        ElasticNet(alpha=(l1 + l2) / w.sum(), l1_ratio=l1 / (l1 + l2), tol=1e-14,
                   max_iter=1000000), l1, l2, True)
    return {"file": "ames.csv", "label": "Sale_Price", "columns": columns, "cases": cases}


def rank_deficient_case():
    """Numeric columns plus a full one-hot of Bldg_Type: with the intercept the one-hot
    group is collinear, and LinearRegression (lstsq) returns the minimum-norm solution of
    the centred problem."""
    header, rows, columns, x, labels = load("ames.csv", "Sale_Price")
    keep = ["Lot_Area", "Year_Built", "Gr_Liv_Area"]
    x = x[:, [columns.index(c) for c in keep]]
    bldg = [r[header.index("Bldg_Type")] for r in rows]
    categories = sorted(set(bldg))
    onehot = np.array([[1.0 if v == c else 0.0 for c in categories] for v in bldg])
    x = np.hstack([x, onehot])
    y = np.array([float(v) for v in labels])
    model = LinearRegression().fit(x, y)
    return {"numeric": keep, "onehot_column": "Bldg_Type", "categories": categories,
            "coefficients": floats(model.coef_), "intercept": float(model.intercept_)}


def classification(name, label, positive=None):
    _, _, columns, x, labels = load(name, label)
    if positive is not None:
        classes = [v for v in sorted(set(labels)) if v != positive] + [positive]
    else:
        classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    return columns, classes, x, y


def logistic_cases(name, label, l1, positive=None):
    columns, classes, x, y = classification(name, label, positive)
    k = len(classes)
    w = weights(len(y))
    cases = []

    def add(case, l1, l2, weighted):
        # Binary: plain logistic regression (one coefficient vector, as Strata fits it);
        # multiclass: the multinomial (softmax) model with every class's vector penalised.
        # Smooth cases use newton-cg: scikit-learn's lbfgs stops on scipy's default
        # ftol (2.2e-9 relative change of the loss), which leaves probabilities ~1e-4 from
        # the optimum on nearly separable data; newton-cg converges to tol (its gradient test
        # is on the summed loss: 1e-8 is far below what double rounding allows at 1e-12).
        multi_class = "multinomial" if k > 2 else "ovr"
        if l1 > 0:
            # saga converges linearly: 1e-9 keeps probabilities within ~1e-6 of the optimum
            # in minutes rather than hours.
            model = LogisticRegression(penalty="l1", C=1.0 / l1, solver="saga", tol=1e-9,
                                       max_iter=200000, multi_class=multi_class)
        elif l2 > 0:
            model = LogisticRegression(C=1.0 / l2, solver="newton-cg", tol=1e-8,
                                       max_iter=1000, multi_class=multi_class)
        else:
            model = LogisticRegression(penalty=None, solver="newton-cg", tol=1e-8,
                                       max_iter=1000, multi_class=multi_class)
        sw = w if weighted else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y, sample_weight=sw)
        print(f"{name} {case}: {model.n_iter_} iterations", file=sys.stderr)
        proba = model.predict_proba(x)
        logloss = -np.average(np.log(proba[np.arange(len(y)), y]), weights=sw)
        cases.append({"name": case, "l1_reg": l1, "l2_reg": l2, "weighted": weighted,
                      # rows: one coefficient vector per class (one for binary)
                      "coefficients": [floats(c) for c in model.coef_],
                      "intercepts": floats(model.intercept_),
                      "first_probabilities": [floats(p) for p in proba[:5]],
                      "log_loss": float(logloss)})

    add("l2", 0.0, 1.0, False)
    add("l2_weighted", 0.0, 1.0, True)
    add("unpenalised", 0.0, 0.0, False)
    add("l1", l1, 0.0, False)
    add("l1_weighted", l1, 0.0, True)
    return {"file": name, "label": label, "columns": columns, "classes": classes,
            "num_classes": k, "cases": cases}


def main():
    """--logistic-only recomputes the logistic cases and keeps the (slow: tight lasso and
    elastic net) linear cases of the existing file."""
    path = os.path.join(HERE, "linear_reference.json")
    if "--logistic-only" in sys.argv:
        with open(path) as f:
            out = json.load(f)
    else:
        out = {"linear": regression_cases(), "rank_deficient": rank_deficient_case()}
    out.update({
        "generator": "tests/models/reference/linear_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "weights": "0.5 + 0.25 * (row % 5)",
        "binary": logistic_cases("churn.csv", "churn", l1=5.0, positive="yes"),
        "multiclass": logistic_cases("hpc_data.csv", "class", l1=40.0),
    })
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
