#!/usr/bin/python3
"""Reference results for tree_reference_test.cc, computed with xgboost-python 1.7.4.

Debian's python3-xgboost loads the same libxgboost.so as Strata, so with the same data,
parameters, weights and rounds the predictions must be bitwise identical. Regenerate from
the repository root with
    /usr/bin/python3 tests/models/reference/tree_reference.py \
        > tests/models/reference/tree_reference.json

The data matrix is built the way tree_test_data.h builds it in C++: every column but the
label, in file order; numbers as float64; text label-encoded in sorted order (and, for the
hist and approx methods, declared categorical with feature_types "c" when it has at most 16
categories, as Strata declares its label-encoded columns, unless the case sets
categorical_splits False); then the cells
with (31 * row + 17 * column) % 41 == 0 set to NaN, so missing-value handling is exercised
(the bundled files have no NULLs). Labels: class indices in sorted order, or the number.

Training uses a plain DMatrix for every tree_method, as Strata does (XGBoost builds the
hist index itself at the first round). Predictions use a plain DMatrix too.
Early stopping: XGBoost's EarlyStopping callback, or BigQuery ML's min_rel_progress rule
below; either way prediction uses rounds [0, best_iteration + 1).
"""
import csv
import json
import math
import os
import sys

import numpy as np
import xgboost as xgb

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
THREADS = 2  # the C++ test passes the same: hist sums histograms per thread


def load(name, label, classification):
    with open(os.path.join(ROOT, "examples", "data", name), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns = {h: [r[i] for r in body] for i, h in enumerate(header)}

    def is_number(text):
        try:
            float(text)
            return True
        except ValueError:
            return False

    def encode(values):
        if all(v == "" or is_number(v) for v in values):
            return [float(v) if v != "" else float("nan") for v in values], None
        categories = sorted({v for v in values if v != ""})
        code = {c: float(i) for i, c in enumerate(categories)}
        return [code[v] if v != "" else float("nan") for v in values], categories

    features = [h for h in header if h != label]
    x = np.empty((len(body), len(features)), dtype=np.float64)
    kinds = []
    for c, h in enumerate(features):
        x[:, c], categories = encode(columns[h])
        kinds.append("c" if categories is not None and len(categories) <= 16 else "q")
    for r in range(x.shape[0]):
        for c in range(x.shape[1]):
            if (31 * r + 17 * c) % 41 == 0:
                x[r, c] = np.nan
    y, classes = encode(columns[label])
    if not classification:
        classes = None
    return x, np.array(y, dtype=np.float64), classes, kinds


def matrix(x, y, w, params, kinds):
    # A plain DMatrix for every tree_method: XGBoost builds the hist index itself at the first
    # round (measured faster than QuantileDMatrix on 1.7; Strata does the same). The exact
    # method splits only on thresholds, so it gets no categorical columns.
    types = kinds if params["tree_method"] != "exact" and "c" in kinds else None
    return xgb.DMatrix(x, label=y, weight=w, nthread=THREADS, feature_types=types,
                       enable_categorical=types is not None)


class RelativeProgress(xgb.callback.TrainingCallback):
    """BigQuery ML's rule: stop when a round improves on the previous one by less than
    min_rel_progress of it; remember the best (strictly lowest) round."""

    def __init__(self, data, metric, min_rel_progress):
        super().__init__()
        self.data, self.metric, self.min_rel = data, metric, min_rel_progress
        self.previous, self.best, self.best_iteration = None, None, -1

    def after_iteration(self, model, epoch, evals_log):
        v = evals_log[self.data][self.metric][-1]
        if self.best is None or v < self.best:
            self.best, self.best_iteration = v, epoch
        stop = self.previous is not None and self.previous - v < self.min_rel * abs(self.previous)
        self.previous = v
        return stop


def plain_sum(values):
    # Left-to-right, as the C++ test sums (numpy's pairwise summation rounds differently).
    s = 0.0
    for v in values:
        s += float(v)
    return s


def run(case):
    x, y, classes, kinds = load(case["file"], case["label"], case["classification"])
    if not case["options"].get("categorical_splits", True):
        kinds = ["q"] * len(kinds)  # the codes as numbers, cut at thresholds
    n = x.shape[0]
    w = None
    if case.get("weights"):
        # Positive class up-weighted, and a row pattern: 3 x (1 + (row % 4) / 4) or 1 x ...
        w = np.array([(3.0 if y[r] == 1 else 1.0) * (1.0 + (r % 4) * 0.25) for r in range(n)])
    if case.get("eval_split"):
        eval_rows = np.array([r for r in range(n) if r % 5 == 0])
        train_rows = np.array([r for r in range(n) if r % 5 != 0])
    else:
        eval_rows, train_rows = None, np.arange(n)
    params = dict(case["params"])
    params["nthread"] = str(THREADS)
    params["validate_parameters"] = "1"
    if case.get("log_link"):
        # Strata starts a log-link objective from the training labels' mean, summed left to
        # right, written as the shortest text that reads back the same (repr, like fmt's {}).
        total = 0.0
        for v in y[train_rows]:
            total += 1.0 * float(v)
        params["base_score"] = repr(total / float(len(train_rows)))
    dtrain = matrix(x[train_rows], y[train_rows], None if w is None else w[train_rows], params,
                    kinds)
    evals = [(dtrain, "train")]
    if eval_rows is not None:
        deval = matrix(x[eval_rows], y[eval_rows], None if w is None else w[eval_rows], params,
                       kinds)
        evals.append((deval, "eval"))
    watched = evals[-1][1]
    metric = params["eval_metric"]
    callbacks = []
    rel = None
    if case.get("early_stopping_rounds"):
        callbacks.append(xgb.callback.EarlyStopping(rounds=case["early_stopping_rounds"],
                                                    data_name=watched, metric_name=metric))
    elif case.get("min_rel_progress") is not None:
        rel = RelativeProgress(watched, metric, case["min_rel_progress"])
        callbacks.append(rel)
    log = {}
    bst = xgb.train(list(params.items()), dtrain, num_boost_round=case["rounds"], evals=evals,
                    evals_result=log, verbose_eval=False, callbacks=callbacks)
    trained = bst.num_boosted_rounds()
    if case.get("early_stopping_rounds"):
        best = bst.best_iteration
    elif rel is not None:
        best = rel.best_iteration
    else:
        best = -1
    end = best + 1 if best >= 0 else 0

    subset = list(range(0, n, max(1, n // 100)))
    dpred = matrix(x[subset], None, None, params, kinds)
    rounds = (0, end)
    pred = bst.predict(dpred, iteration_range=rounds, strict_shape=True)
    margin = bst.predict(dpred, output_margin=True, iteration_range=rounds, strict_shape=True)
    contrib = bst.predict(dpred, pred_contribs=True, iteration_range=rounds, strict_shape=True)
    if best >= 0:
        bst = bst[0:end]  # the kept model, for importance
    if case.get("log_link"):
        contrib = label_units(contrib)
    groups = contrib.shape[1]
    shap_sums = [[plain_sum(contrib[:, g, f]) for f in range(contrib.shape[2])]
                 for g in range(groups)]
    importance = {}
    for kind in ("weight", "gain", "cover"):
        score = bst.get_score(importance_type=kind)
        importance[kind] = [float(score.get("f%d" % f, 0.0)) for f in range(x.shape[1])]
    return {
        "file": case["file"], "label": case["label"], "classification": case["classification"],
        "options": case["options"], "weights": bool(case.get("weights")),
        "eval_split": bool(case.get("eval_split")), "params": case["params"],
        "rounds_trained": trained, "best_iteration": best, "rows": subset,
        "train_loss": log["train"][metric],
        "eval_loss": log["eval"][metric] if "eval" in log else [],
        "predictions": [[float(v) for v in row] for row in pred],
        "margins": [[float(v) for v in row] for row in margin],
        "shap_sums": shap_sums,
        "importance": importance,
    }


def label_units(contrib):
    """A log-link model's TreeSHAP values in label units, as TreeModel::Contribute gives
    them: the bias becomes exp(bias), the attributions are scaled per row by
    (exp(margin) - exp(bias)) / (margin - bias). math.exp is the C library's exp, as in C++."""
    out = np.array(contrib, dtype=np.float64)
    for r in range(out.shape[0]):
        row = [float(v) for v in contrib[r, 0, :]]
        bias = row[-1]
        margin = bias
        for v in row[:-1]:
            margin += v
        base = math.exp(bias)
        scale = (math.exp(margin) - base) / (margin - bias) if margin != bias else base
        out[r, 0, :-1] = [v * scale for v in row[:-1]]
        out[r, 0, -1] = base
    return out


def hist_params(objective, metric, **extra):
    p = {"objective": objective, "eval_metric": metric, "booster": "gbtree",
         "tree_method": "hist", "max_bin": "256", "eta": "0.3", "max_depth": "6",
         "min_child_weight": "1", "gamma": "0", "subsample": "1", "colsample_bytree": "1",
         "colsample_bylevel": "1", "colsample_bynode": "1", "alpha": "0", "lambda": "1",
         "num_parallel_tree": "1", "seed": "42"}
    p.update(extra)
    if p["tree_method"] != "hist":
        del p["max_bin"]
    return p


def order(params):
    """Parameters in the order Strata's PlanTreeTraining sets them."""
    keys = ["objective", "num_class", "eval_metric", "tweedie_variance_power", "booster",
            "rate_drop", "normalize_type", "tree_method", "max_bin", "eta", "max_depth",
            "min_child_weight", "gamma", "subsample", "colsample_bytree", "colsample_bylevel",
            "colsample_bynode", "alpha", "lambda", "num_parallel_tree", "seed"]
    return {k: params[k] for k in keys if k in params}


NO_STOP = {"early_stop": False}
CASES = {
    "boosted_binary_churn": dict(
        file="churn.csv", label="churn", classification=True, rounds=20,
        options=dict(NO_STOP, max_iterations=20, subsample=0.8, colsample_bynode=0.8),
        params=order(hist_params("binary:logistic", "logloss", subsample="0.8",
                                 colsample_bynode="0.8"))),
    "boosted_multiclass_hpc": dict(
        file="hpc_data.csv", label="class", classification=True, rounds=15,
        options=dict(NO_STOP, max_iterations=15, max_tree_depth=4, learn_rate=0.2,
                     colsample_bytree=0.8, subsample=0.9),
        params=order(hist_params("multi:softprob", "mlogloss", num_class="4", max_depth="4",
                                 eta="0.2", colsample_bytree="0.8", subsample="0.9"))),
    "boosted_regressor_ames": dict(
        file="ames.csv", label="Sale_Price", classification=False, rounds=30,
        options=dict(NO_STOP, max_iterations=30, l1_reg=0.5, l2_reg=2.0, min_tree_child_weight=3),
        params=order(hist_params("reg:squarederror", "rmse", alpha="0.5", min_child_weight="3",
                                 **{"lambda": "2"}))),
    "boosted_codes_ames": dict(
        file="ames.csv", label="Sale_Price", classification=False, rounds=20,
        options=dict(NO_STOP, max_iterations=20, categorical_splits=False),
        params=order(hist_params("reg:squarederror", "rmse"))),
    "boosted_exact_churn": dict(
        file="churn.csv", label="churn", classification=True, rounds=10,
        options=dict(NO_STOP, max_iterations=10, tree_method="EXACT", max_tree_depth=5),
        params=order(hist_params("binary:logistic", "logloss", tree_method="exact",
                                 max_depth="5"))),
    "boosted_dart_ames": dict(
        file="ames.csv", label="Sale_Price", classification=False, rounds=10,
        options=dict(NO_STOP, max_iterations=10, booster_type="DART", dropout=0.1,
                     dart_normalize_type="FOREST"),
        params=order(hist_params("reg:squarederror", "rmse", booster="dart", rate_drop="0.1",
                                 normalize_type="forest"))),
    "boosted_weighted_churn": dict(
        file="churn.csv", label="churn", classification=True, rounds=20, weights=True,
        options=dict(NO_STOP, max_iterations=20),
        params=order(hist_params("binary:logistic", "logloss"))),
    "boosted_early_stopping_rounds_churn": dict(
        file="churn.csv", label="churn", classification=True, rounds=200, eval_split=True,
        early_stopping_rounds=5,
        options=dict(max_iterations=200, early_stopping_rounds=5, learn_rate=0.5),
        params=order(hist_params("binary:logistic", "logloss", eta="0.5"))),
    "boosted_min_rel_progress_hpc": dict(
        file="hpc_data.csv", label="class", classification=True, rounds=50, eval_split=True,
        weights=False, min_rel_progress=0.01,
        options=dict(max_iterations=50),
        params=order(hist_params("multi:softprob", "mlogloss", num_class="4"))),
    "boosted_gamma_ames": dict(
        file="ames.csv", label="Sale_Price", classification=False, rounds=25, log_link=True,
        options=dict(NO_STOP, max_iterations=25, objective="GAMMA", max_tree_depth=5),
        params=order(hist_params("reg:gamma", "rmse", max_depth="5"))),
    "forest_classifier_churn": dict(
        file="churn.csv", label="churn", classification=True, rounds=1,
        options=dict(num_parallel_tree=50),
        params=order(hist_params("binary:logistic", "logloss", eta="1", max_depth="15",
                                 subsample="0.8", colsample_bynode="0.8",
                                 num_parallel_tree="50"))),
    "forest_regressor_ames": dict(
        file="ames.csv", label="Sale_Price", classification=False, rounds=1,
        options=dict(num_parallel_tree=30, max_tree_depth=10),
        params=order(hist_params("reg:squarederror", "rmse", eta="1", max_depth="10",
                                 subsample="0.8", colsample_bynode="0.8",
                                 num_parallel_tree="30"))),
}


def main():
    out = {"xgboost_version": xgb.__version__, "threads": THREADS,
           "cases": {name: run(case) for name, case in CASES.items()}}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
