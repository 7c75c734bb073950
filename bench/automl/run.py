#!/usr/bin/python3
"""AutoML vs peers: `strata automl` with a time budget against scikit-learn's
HistGradientBoosting defaults, xgboost defaults and Optuna-tuned xgboost with the same budget,
on the same cross-validation folds, with the AutoML Benchmark's published 1-hour AutoGluon /
H2O figures beside them.

Data sets (/work/shared/datasets, see its README.md): the six with published AutoML Benchmark
numbers (credit_g, churn: ROC AUC; vehicle, dna: log loss; diamonds, boston: RMSE) and the
imbalanced ones (hmda, coil2000_ticdata: ROC AUC + PR AUC + Brier; satimage, 6 classes: log
loss + its rarest class's one-vs-rest PR AUC and Brier).

Protocol: StratifiedKFold(FOLDS, shuffle=True, random_state=REPEAT) for classification,
KFold(...) for regression (repeat 0 is random_state=0, the issue's protocol). Each fold's
training and test rows are written as CSV, byte for byte the original file's lines (same
columns, quoting and types; the test CSV keeps the label, which Strata's predict passes
through). Contenders, all with --threads threads:
  strata automl 1m/5m  `strata -q --workspace W automl --file train.csv --target LABEL
                       --budget Bs --metric M --name m --threads T --format json
                       [--positive-class MINORITY]`, then
                       `strata -q --workspace W predict m --file test.csv --output pred.csv`
  sklearn HGB          HistGradientBoostingClassifier/Regressor() defaults; string columns
                       OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1)
                       and passed as categorical_features
  xgboost              XGBClassifier/XGBRegressor(tree_method='hist') defaults, the same
                       ordinal encoding (as numbers)
  optuna-xgb 1m/5m     TPE (seed 0) over learning_rate log[0.01,0.3], max_depth [3,10],
                       min_child_weight log[1,20], subsample [0.5,1], colsample_bytree
                       [0.5,1], reg_lambda log[1e-3,10], reg_alpha log[1e-3,10]; each trial:
                       up to 1000 trees with early stopping (50 rounds) on an inner 20%
                       (stratified) validation split, scored with the benchmark metric;
                       study.optimize(timeout=B), then the best parameters refit on the whole
                       training fold with the best trial's tree count.
Every metric is computed here with sklearn from the test rows' predictions. A contender that
fails on a fold is recorded with its status and the run goes on. Per-fold results are also
written to WORKDIR/results.jsonl as they come (truncated at the start of a run).

The whole protocol (9 data sets x 10 folds x 2 budgets for Strata and Optuna) takes about 20
hours on 2 cores, so it can be run in pieces: --only-folds runs some folds of the same
partition (the folds are always those of --folds), each piece in its own --workdir, and
--report renders the tables from the pieces' journals without running anything.

    /usr/bin/python3 bench/automl/run.py [--datasets credit_g,boston,...] [--folds 10]
        [--only-folds 1-5] [--repeats 1] [--budgets 60,300] [--threads 2]
        [--strata build/strata] [--workdir /tmp/strata_bench/automl]
        [--contenders strata,hgb,xgboost,optuna | --skip-optuna] [--no-results]
    /usr/bin/python3 bench/automl/run.py --report W1/results.jsonl W2/results.jsonl ...

Every record names the day it was measured, the OpenMP wait policy and, for Strata, the
binary (its SHA-256 prefix), so journals of pieces run on different days can be told apart;
bench/automl/journals/ keeps the committed pieces of the full protocol (see its README.md).
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings

# Like benchlib.resolve_wait_policy("auto"), for the peers in this process too: libgomp reads
# OMP_WAIT_POLICY when it loads, so before numpy/sklearn/xgboost are imported. On a busy
# machine spinning OpenMP barriers make tiny fits take seconds (see bench/train/benchlib.py).
if "OMP_WAIT_POLICY" not in os.environ and os.getloadavg()[0] > 1.0:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

import numpy as np
import pandas as pd
from sklearn.metrics import (average_precision_score, brier_score_loss, log_loss,
                             mean_squared_error, roc_auc_score)
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "train"))
import benchlib  # noqa: E402

SECTION = "## AutoML vs peers"
DATASETS = os.environ.get("STRATA_DATASETS", "/work/shared/datasets")
# name -> (file, label column, task, imbalanced)
SETS = {
    "credit_g": ("credit_g.csv", "class", "binary", False),
    "churn": ("churn.csv", "churn", "binary", False),
    "vehicle": ("vehicle.csv", "Class", "multiclass", False),
    "dna": ("dna.csv", "Class", "multiclass", False),
    "diamonds": ("diamonds.csv", "price", "regression", False),
    "boston": ("boston.csv", "medv", "regression", False),
    "hmda": ("hmda.csv", "deny", "binary", True),
    "coil2000_ticdata": ("coil2000_ticdata.csv", "CARAVAN", "binary", True),
    "satimage": ("satimage.csv", "classes", "multiclass", True),
}
# Published AutoML Benchmark (2021, 1 h, 10 folds) figures, shared/datasets/README.md.
PUBLISHED = {
    "credit_g": {"AutoGluon": .7915, "H2O": .7978},
    "churn": {"AutoGluon": .9275, "H2O": .9215},
    "vehicle": {"AutoGluon": .2962, "H2O": .3279},
    "dna": {"AutoGluon": .1057, "H2O": .1105},
    "diamonds": {"AutoGluon": 506.1, "H2O": 513.8},
    "boston": {"AutoGluon": 2.83, "H2O": 2.99},
}
# task -> (benchmark metric key, shown name, higher is better, strata --metric)
METRIC = {
    "binary": ("roc_auc", "ROC AUC", True, "roc_auc"),
    "multiclass": ("log_loss", "log loss", False, "log_loss"),
    "regression": ("rmse", "RMSE", False, "root_mean_squared_error"),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Data and folds

def load(name):
    file, label, task, _ = SETS[name]
    path = os.path.join(DATASETS, file)
    df = pd.read_csv(path)
    with open(path, newline="") as f:
        lines = f.read().splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if len(lines) != len(df) + 1:  # quoted newlines: fall back to pandas' rendering
        lines = None
    return df, label, task, lines


def write_rows(path, df, lines, idx):
    if lines is None:
        df.iloc[idx].to_csv(path, index=False)
        return
    with open(path, "w", newline="") as f:
        f.write(lines[0])
        f.writelines(lines[i + 1] for i in idx)


def folds(y, task, n_folds, repeat):
    if task == "regression":
        cv = KFold(n_folds, shuffle=True, random_state=repeat)
    else:
        cv = StratifiedKFold(n_folds, shuffle=True, random_state=repeat)
    return list(cv.split(np.zeros(len(y)), y))


def encode(train, test, features):
    """Ordinal-encodes the string columns (fit on the training rows); returns float matrices
    and the categorical mask."""
    from sklearn.preprocessing import OrdinalEncoder
    cats = [c for c in features if train[c].dtype == object]
    xtr = train[features].copy()
    xte = test[features].copy()
    if cats:
        enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        xtr[cats] = enc.fit_transform(train[cats].astype(str))
        xte[cats] = enc.transform(test[cats].astype(str))
    mask = np.array([c in cats for c in features])
    return xtr.to_numpy(np.float64), xte.to_numpy(np.float64), mask


# ---------------------------------------------------------------------------------------
# Metrics

def score(task, y, pred, classes, positive=None):
    """y: encoded labels (0..K-1) or values; pred: probabilities (N x K) or values."""
    if task == "regression":
        return {"rmse": float(math.sqrt(mean_squared_error(y, pred)))}
    pred = np.clip(np.asarray(pred, float), 0, 1)
    if task == "binary":
        p = pred[:, positive]
        yb = (y == positive).astype(int)
        return {"roc_auc": float(roc_auc_score(yb, p)),
                "pr_auc": float(average_precision_score(yb, p)),
                "brier": float(brier_score_loss(yb, p)),
                "log_loss": float(log_loss(yb, p, labels=[0, 1]))}
    rare = positive  # rarest class index
    yb = (y == rare).astype(int)
    return {"log_loss": float(log_loss(y, pred, labels=list(range(len(classes))))),
            "rare_pr_auc": float(average_precision_score(yb, pred[:, rare])),
            "rare_brier": float(brier_score_loss(yb, pred[:, rare])),
            "accuracy": float(np.mean(pred.argmax(1) == y))}


# ---------------------------------------------------------------------------------------
# Contenders

def run_proc(argv, env, timeout):
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, "", f"timed out after {timeout:.0f} s"
    return (time.perf_counter() - start, proc.returncode, proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"))


def strata_contender(strata, fold_dir, train_csv, test_csv, label, task, classes, positive,
                     budget, threads, env):
    """Returns (predictions, info) or raises RuntimeError with the status."""
    ws = os.path.join(fold_dir, f"strata_{budget}.db")
    benchlib.remove_workspace(ws)
    pred_csv = os.path.join(fold_dir, f"strata_{budget}_pred.csv")
    argv = [strata, "-q", "--workspace", ws, "automl", "--file", train_csv, "--target", label,
            "--budget", f"{budget}s", "--metric", METRIC[task][3], "--name", "m",
            "--threads", str(threads), "--format", "json"]
    if task == "binary":
        argv += ["--positive-class", str(classes[positive])]
    wall, rc, out, err = run_proc(argv, env, timeout=2 * budget + 600)
    if rc != 0:
        raise RuntimeError(f"automl exit {rc}: {err.strip()[-300:]}")
    info = {"automl_s": wall}
    try:
        doc = json.loads(out)
        info["cv_score"] = doc.get("score")
        info["reported_s"] = doc.get("seconds")
        board = doc.get("leaderboard") or []
        used = [b["name"] for b in board if (b.get("ensemble_weight") or 0) > 0]
        info["ensemble"] = used or [b["name"] for b in board[:1]]
        info["candidates"] = len(board)
    except (json.JSONDecodeError, TypeError, KeyError) as e:
        info["json_error"] = str(e)
    wall, rc, _, err = run_proc([strata, "-q", "--workspace", ws, "predict", "m", "--file",
                                 test_csv, "--output", pred_csv], env, timeout=600)
    if rc != 0:
        raise RuntimeError(f"predict exit {rc}: {err.strip()[-300:]}")
    info["predict_s"] = wall
    pred = pd.read_csv(pred_csv, dtype=str, keep_default_na=False)
    col = f"predicted_{label}"
    if task == "regression":
        return pd.to_numeric(pred[col]).to_numpy(float), info
    index = {str(c): k for k, c in enumerate(classes)}
    probs = np.zeros((len(pred), len(classes)))
    for i, text in enumerate(pred[f"{col}_probs"].to_numpy()):
        for item in json.loads(text):
            k = index.get(str(item["label"]))
            if k is None:
                raise RuntimeError(f"unknown label {item['label']!r} in {col}_probs")
            probs[i, k] = item["prob"]
    return probs, info


def xgb_objective(task, n_classes):
    if task == "regression":
        return {"objective": "reg:squarederror", "eval_metric": "rmse"}
    if task == "binary":
        return {"objective": "binary:logistic", "eval_metric": "auc"}
    return {"objective": "multi:softprob", "eval_metric": "mlogloss", "num_class": n_classes}


def predict_any(model, task, x):
    return model.predict(x) if task == "regression" else model.predict_proba(x)


def hgb_contender(xtr, ytr, xte, mask, task, threads):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    model = cls(categorical_features=mask if mask.any() else None)
    model.fit(xtr, ytr)
    return predict_any(model, task, xte), {}


def xgb_contender(xtr, ytr, xte, task, threads, n_classes):
    import xgboost as xgb
    cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
    model = cls(tree_method="hist", n_jobs=threads, random_state=0)
    model.fit(xtr, ytr)
    return predict_any(model, task, xte), {}


def optuna_contender(xtr, ytr, xte, task, threads, n_classes, budget, seed):
    import optuna
    import xgboost as xgb
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
    strat = None if task == "regression" else ytr
    itr, iva = train_test_split(np.arange(len(ytr)), test_size=0.2, stratify=strat,
                                random_state=seed)
    base = {"tree_method": "hist", "n_jobs": threads, "random_state": 0}
    base.update({k: v for k, v in xgb_objective(task, n_classes).items() if k != "num_class"})

    def objective(trial):
        params = {
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "max_depth": trial.suggest_int("max_depth", 3, 10),
            "min_child_weight": trial.suggest_float("min_child_weight", 1, 20, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
            "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10, log=True),
            "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10, log=True),
        }
        model = cls(n_estimators=1000, early_stopping_rounds=50, **base, **params)
        model.fit(xtr[itr], ytr[itr], eval_set=[(xtr[iva], ytr[iva])], verbose=False)
        trial.set_user_attr("n_estimators", int(model.best_iteration) + 1)
        p = predict_any(model, task, xtr[iva])
        # Scored with the benchmark metric, as a loss (minimised).
        if task == "regression":
            return math.sqrt(mean_squared_error(ytr[iva], p))
        if task == "binary":
            return -roc_auc_score(ytr[iva], p[:, 1])
        return log_loss(ytr[iva], p, labels=list(range(n_classes)))

    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    start = time.perf_counter()
    study.optimize(objective, timeout=budget)
    tune_s = time.perf_counter() - start
    best = study.best_trial
    model = cls(n_estimators=best.user_attrs["n_estimators"], **base, **best.params)
    model.fit(xtr, ytr)
    return predict_any(model, task, xte), {"trials": len(study.trials), "tune_s": tune_s,
                                           "n_estimators": best.user_attrs["n_estimators"]}


# ---------------------------------------------------------------------------------------
# Aggregation and rendering

def fmt(v, metric, like=None):
    """4 decimals; RMSE 1 decimal when the value (or `like`, for its std) is >= 100."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if metric == "rmse":
        return f"{v:.1f}" if abs(v if like is None else like) >= 100 else f"{v:.3f}"
    return f"{v:.4f}"


def mean_std(vals, metric):
    if not vals:
        return "–"
    m = statistics.mean(vals)
    s = statistics.stdev(vals) if len(vals) > 1 else 0.0
    return f"{fmt(m, metric)} ± {fmt(s, metric, like=m)}"


def fold_ranks(rows, contenders, key, higher):
    """Mean rank per contender over the folds where every contender succeeded."""
    by_fold = {}
    for r in rows:
        if r["status"] == "ok":
            by_fold.setdefault((r["repeat"], r["fold"]), {})[r["contender"]] = r["metrics"][key]
    ranks = {c: [] for c in contenders}
    for vals in by_fold.values():
        if set(vals) != set(contenders):
            continue
        s = pd.Series(vals)
        rk = s.rank(ascending=not higher, method="average")
        for c in contenders:
            ranks[c].append(float(rk[c]))
    return {c: (statistics.mean(v) if v else float("nan")) for c, v in ranks.items()}, \
        len(next(iter(ranks.values()), []))


def render(results, contenders, strata_budgets):
    lines = []
    target_budget = 300 if 300 in strata_budgets else max(strata_budgets)
    target_name = f"strata automl {target_budget // 60}m" if target_budget % 60 == 0 \
        else f"strata automl {target_budget}s"
    head = "| data set | metric | " + " | ".join(contenders) + " | AutoGluon 1h | H2O 1h |"
    lines += ["Benchmark metric, mean ± std over the test folds (every contender on the same "
              "folds; in brackets the number of folds that failed, if any):", "",
              head, "|" + "---|" * (len(contenders) + 4)]
    rank_rows, extra_rows, time_rows, target_rows = [], [], [], []
    all_ranks = {c: [] for c in contenders}
    for name, (task, rows) in results.items():
        key, shown, higher, _ = METRIC[task]
        cells = []
        for c in contenders:
            rs = [r for r in rows if r["contender"] == c]
            ok = [r["metrics"][key] for r in rs if r["status"] == "ok"]
            failed = len(rs) - len(ok)
            cells.append(mean_std(ok, key) + (f" ({failed} failed)" if failed else ""))
        pub = PUBLISHED.get(name, {})
        lines.append(f"| {name} | {shown} {'↑' if higher else '↓'} | " + " | ".join(cells) +
                     f" | {fmt(pub.get('AutoGluon'), key)} | {fmt(pub.get('H2O'), key)} |")
        ranks, n = fold_ranks(rows, contenders, key, higher)
        for c in contenders:
            if not math.isnan(ranks[c]):
                all_ranks[c].append(ranks[c])
        rank_rows.append(f"| {name} | {n} | " + " | ".join(
            "–" if math.isnan(ranks[c]) else f"{ranks[c]:.2f}" for c in contenders) + " |")
        # Extra metrics for the imbalanced sets (and binary ones generally).
        if SETS[name][3] or task == "binary":
            keys = (["pr_auc", "brier"] if task == "binary" else ["rare_pr_auc", "rare_brier"])
            for k in keys:
                cells = [mean_std([r["metrics"][k] for r in rows
                                   if r["contender"] == c and r["status"] == "ok"], k)
                         for c in contenders]
                label = {"pr_auc": "PR AUC ↑", "brier": "Brier ↓",
                         "rare_pr_auc": "rarest class PR AUC ↑",
                         "rare_brier": "rarest class Brier ↓"}[k]
                extra_rows.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
        tcells = []
        for c in contenders:
            ts = [r["seconds"] for r in rows if r["contender"] == c and r["status"] == "ok"]
            tcells.append(f"{statistics.mean(ts):.1f}" if ts else "–")
        time_rows.append(f"| {name} | " + " | ".join(tcells) + " |")
        ag = pub.get("AutoGluon")
        ok = [r["metrics"][key] for r in rows if r["contender"] == target_name
              and r["status"] == "ok"]
        if ag is not None and ok:
            m = statistics.mean(ok)
            if task == "binary":
                gap, met = f"{m - ag:+.4f} AUC (target ≥ −0.005)", m >= ag - 0.005
            elif task == "multiclass":
                gap, met = f"{(m / ag - 1) * 100:+.1f}% log loss (target ≤ +10%)", m <= ag * 1.10
            else:
                gap, met = f"{(m / ag - 1) * 100:+.1f}% RMSE (target ≤ +3%)", m <= ag * 1.03
            target_rows.append(f"| {name} | {fmt(m, key)} | {fmt(ag, key)} | {gap} | "
                               f"{'met' if met else 'not met'} |")
    lines += ["", "Mean rank among the local contenders (1 = best; per fold, over the folds "
              "where every contender succeeded, then averaged; ties share ranks):", "",
              "| data set | folds | " + " | ".join(contenders) + " |",
              "|" + "---|" * (len(contenders) + 2)]
    lines += rank_rows
    lines.append("| **mean over data sets** | | " + " | ".join(
        f"**{statistics.mean(v):.2f}**" if v else "–" for v in all_ranks.values()) + " |")
    if extra_rows:
        lines += ["", "Probability quality (binary: positive = minority class; satimage: its "
                  "rarest class one-vs-rest), mean ± std over the folds:", "",
                  "| data set | metric | " + " | ".join(contenders) + " |",
                  "|" + "---|" * (len(contenders) + 2)]
        lines += extra_rows
    lines += ["", "Wall seconds per fold (training + prediction; Strata: its two processes, "
              "automl + predict; the budget is the tuning time):", "",
              "| data set | " + " | ".join(contenders) + " |",
              "|" + "---|" * (len(contenders) + 1)]
    lines += time_rows
    if target_rows:
        lines += ["", f"Target: {target_name} within 0.005 ROC AUC / 10% log loss / 3% RMSE "
                  "of AutoGluon's published 1-hour result:", "",
                  f"| data set | {target_name} | AutoGluon 1h | gap | target |",
                  "|---|---|---|---|---|"]
        lines += target_rows
    return "\n".join(lines)


def strata_budget_overrun(results, strata_budgets):
    out = []
    for b in strata_budgets:
        ratios = [r["info"]["automl_s"] / b for _, rows in results.values() for r in rows
                  if r["contender"] == budget_name("strata automl", b) and r["status"] == "ok"]
        if ratios:
            out.append(f"{b} s budget: automl wall time {min(ratios):.2f}–{max(ratios):.2f}x the "
                       f"budget (mean {statistics.mean(ratios):.2f}x)")
    return "; ".join(out)


def budget_name(prefix, b):
    return f"{prefix} {b // 60}m" if b % 60 == 0 else f"{prefix} {b}s"


CONTENDERS = ("strata", "hgb", "xgboost", "optuna")


def parse_contenders(text, skip_optuna):
    """--contenders a,b (keys of CONTENDERS) as a set; --skip-optuna removes optuna."""
    chosen = {c.strip() for c in text.split(",") if c.strip()}
    unknown = sorted(chosen - set(CONTENDERS))
    if unknown:
        sys.exit(f"--contenders: unknown {', '.join(map(repr, unknown))}: expected some of "
                 f"{', '.join(CONTENDERS)}")
    if skip_optuna:
        chosen.discard("optuna")
    if not chosen:
        sys.exit("--contenders: nothing left to run")
    return chosen


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_fold_range(text, n_folds):
    """--only-folds A-B (or A) as a range of 1-based fold numbers; all folds when None."""
    if text is None:
        return range(1, n_folds + 1)
    try:
        a, _, b = text.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        sys.exit(f"--only-folds {text!r}: expected A-B, two fold numbers such as 1-5")
    if not 1 <= first <= last <= n_folds:
        sys.exit(f"--only-folds {text!r}: expected 1 <= A <= B <= --folds ({n_folds})")
    return range(first, last + 1)


def report(journals, default_folds):
    """Merges the per-fold records of earlier runs (pieces of one protocol) and prints the
    tables. A (data set, repeat, fold, contender) recorded twice is an error, as are two
    partitions (different --folds) of one data set."""
    results, seen, n_folds, contenders = {}, {}, {}, []
    for path in journals:
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except OSError as e:
            sys.exit(f"{path}: {e.strerror}")
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                name, key = rec["dataset"], (rec["dataset"], rec["repeat"], rec["fold"],
                                             rec["contender"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{lineno}: not a per-fold record of this script ({e})")
            if name not in SETS:
                sys.exit(f"{path}:{lineno}: unknown data set {name!r}")
            if key in seen:
                sys.exit(f"{path}:{lineno}: {name} repeat {key[1]} fold {key[2] + 1} "
                         f"{key[3]!r} is also in {seen[key]}")
            seen[key] = f"{path}:{lineno}"
            k = rec.get("n_folds", default_folds)
            if n_folds.setdefault(name, k) != k:
                sys.exit(f"{path}:{lineno}: {name} has {k}-fold records here and "
                         f"{n_folds[name]}-fold records elsewhere (different partitions); "
                         f"pass --folds for journals written before n_folds was recorded")
            if rec["contender"] not in contenders:
                contenders.append(rec["contender"])
            results.setdefault(name, (SETS[name][2], []))[1].append(rec)
    if not results:
        sys.exit("no per-fold records in " + ", ".join(journals))

    def seconds(c):  # "strata automl 5m" -> 300, "optuna-xgb 90s" -> 90, "xgboost" -> 0
        last = c.rsplit(" ", 1)[-1]
        return int(last[:-1]) * (60 if last[-1] == "m" else 1) if last[:-1].isdigit() else 0

    family = {"strata automl": 0, "sklearn HGB": 1, "xgboost": 2, "optuna-xgb": 3}
    contenders.sort(key=lambda c: (family.get(c.rsplit(" ", 1)[0] if seconds(c) else c, 9),
                                   seconds(c)))
    budgets = sorted({seconds(c) for c in contenders if c.startswith("strata automl ")})
    text = render(results, contenders, budgets or [300])
    print(text)
    overrun = strata_budget_overrun(results, budgets)
    if overrun:
        print("\nStrata budget: " + overrun)
    print("\nProvenance (per data set: days measured, Strata binaries by SHA-256 prefix, "
          "OMP_WAIT_POLICY):")
    for name, (_, rows) in results.items():
        days = sorted({r.get("date", "?") for r in rows})
        shas = sorted({r.get("strata_sha256") or "?" for r in rows
                       if r["contender"].startswith("strata automl")})
        waits = sorted({r.get("omp_wait_policy", "?") for r in rows})
        print(f"- {name}: {', '.join(days)}; strata {', '.join(shas) or '-'}; "
              f"{', '.join(waits)}")
    for name, (_, rows) in results.items():
        done = len({(r["repeat"], r["fold"]) for r in rows})
        repeats = len({r["repeat"] for r in rows})
        if done < n_folds[name] * repeats:
            print(f"\nNote: {name} has {done} of its {n_folds[name] * repeats} folds recorded.")


# ---------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(SETS))
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1,
                        help="repeated CV: repeat r uses random_state=r")
    parser.add_argument("--budgets", default="60,300",
                        help="seconds, comma-separated: Strata and Optuna get each")
    parser.add_argument("--strata", default=None, help="path of the strata binary")
    parser.add_argument("--workdir", default="/tmp/strata_bench/automl")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--contenders", default="strata,hgb,xgboost,optuna",
                        help="which contenders run, comma-separated: " + ", ".join(CONTENDERS))
    parser.add_argument("--skip-optuna", action="store_true",
                        help="leave optuna out of --contenders")
    parser.add_argument("--keep", action="store_true", help="keep the per-fold files")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--only-folds", default=None, metavar="A-B",
                        help="run only folds A..B (1-based) of each repeat's --folds partition")
    parser.add_argument("--report", nargs="+", metavar="JOURNAL",
                        help="print the tables of earlier runs' results.jsonl files (merged) "
                             "and exit")
    args = parser.parse_args()
    if args.report:
        report(args.report, args.folds)
        return
    fold_range = parse_fold_range(args.only_folds, args.folds)
    names = [n for n in args.datasets.split(",") if n]
    for n in names:
        if n not in SETS:
            sys.exit(f"unknown data set {n!r}: one of {', '.join(SETS)}")
    budgets = [int(b) for b in args.budgets.split(",") if b]
    chosen = parse_contenders(args.contenders, args.skip_optuna)
    strata = benchlib.find_strata(args.strata) if "strata" in chosen else None
    strata_sha = file_sha256(strata)[:12] if strata else None
    benchlib.resolve_wait_policy("auto")
    env = benchlib.child_env(args.threads)
    os.makedirs(args.workdir, exist_ok=True)
    journal = os.path.join(args.workdir, "results.jsonl")
    open(journal, "w").close()  # this run's per-fold records only
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=args.threads)  # HGB's OpenMP and BLAS in this process
    warnings.filterwarnings("ignore", category=UserWarning)

    contenders = []
    if "strata" in chosen:
        contenders += [budget_name("strata automl", b) for b in budgets]
    contenders += [n for key, n in (("hgb", "sklearn HGB"), ("xgboost", "xgboost"))
                   if key in chosen]
    if "optuna" in chosen:
        contenders += [budget_name("optuna-xgb", b) for b in budgets]
    argv_text = " ".join(["/usr/bin/python3", "bench/automl/run.py", *sys.argv[1:]])
    started = time.time()
    load_start = os.getloadavg()[0]
    results = {}
    failures = []
    for name in names:
        df, label, task, lines = load(name)
        y_raw = df[label]
        if task == "regression":
            classes, y, positive = None, y_raw.to_numpy(float), None
        else:
            classes = sorted(y_raw.astype(str).unique())
            y = np.searchsorted(classes, y_raw.astype(str).to_numpy())
            counts = np.bincount(y, minlength=len(classes))
            positive = int(np.argmin(counts))  # minority (binary) / rarest class
        features = [c for c in df.columns if c != label]
        rows = []
        results[name] = (task, rows)
        log(f"== {name}: {len(df)} rows, {task}, label {label}"
            + (f", {len(classes)} classes, minority {classes[positive]!r}" if classes else ""))
        for rep in range(args.repeats):
            for k, (tr, te) in enumerate(folds(y, task, args.folds, rep)):
                if k + 1 not in fold_range:
                    continue
                fold_dir = os.path.join(args.workdir, name, f"r{rep}_f{k}")
                os.makedirs(fold_dir, exist_ok=True)
                train_csv = os.path.join(fold_dir, "train.csv")
                test_csv = os.path.join(fold_dir, "test.csv")
                write_rows(train_csv, df, lines, tr)
                write_rows(test_csv, df, lines, te)
                xtr, xte, mask = encode(df.iloc[tr], df.iloc[te], features)
                ytr, yte = y[tr], y[te]
                n_classes = len(classes) if classes else 0
                jobs = []
                if "strata" in chosen:
                    for b in budgets:
                        jobs.append((budget_name("strata automl", b), lambda b=b: strata_contender(
                            strata, fold_dir, train_csv, test_csv, label, task, classes,
                            positive, b, args.threads, env)))
                if "hgb" in chosen:
                    jobs.append(("sklearn HGB", lambda: hgb_contender(xtr, ytr, xte, mask, task,
                                                                      args.threads)))
                if "xgboost" in chosen:
                    jobs.append(("xgboost", lambda: xgb_contender(xtr, ytr, xte, task,
                                                                  args.threads, n_classes)))
                if "optuna" in chosen:
                    for b in budgets:
                        jobs.append((budget_name("optuna-xgb", b), lambda b=b: optuna_contender(
                            xtr, ytr, xte, task, args.threads, n_classes, b, rep * 1000 + k)))
                for cname, job in jobs:
                    start = time.perf_counter()
                    rec = {"dataset": name, "repeat": rep, "fold": k, "n_folds": args.folds,
                           "contender": cname, "date": datetime.date.today().isoformat(),
                           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset")}
                    if cname.startswith("strata automl"):
                        rec["strata_sha256"] = strata_sha
                    try:
                        pred, info = job()
                        rec["seconds"] = time.perf_counter() - start
                        rec["metrics"] = score(task, yte, pred, classes, positive)
                        rec["info"] = info
                        rec["status"] = "ok"
                    except Exception as e:  # noqa: BLE001 - a failing contender is reported
                        rec["seconds"] = time.perf_counter() - start
                        rec["status"] = f"failed: {type(e).__name__}: {str(e)[:300]}"
                        failures.append(f"{name} repeat {rep} fold {k + 1} {cname}: "
                                        f"{rec['status']}")
                    rows.append(rec)
                    with open(journal, "a") as f:
                        f.write(json.dumps(rec) + "\n")
                    key = METRIC[task][0]
                    shown = (f"{METRIC[task][1]} {rec['metrics'][key]:.4f}"
                             if rec["status"] == "ok" else rec["status"])
                    extra = ""
                    if rec["status"] == "ok" and "trials" in rec.get("info", {}):
                        extra = f" ({rec['info']['trials']} trials)"
                    if rec["status"] == "ok" and "automl_s" in rec.get("info", {}):
                        extra = (f" (automl {rec['info']['automl_s']:.1f} s, predict "
                                 f"{rec['info']['predict_s']:.1f} s, ensemble "
                                 f"{'+'.join(rec['info'].get('ensemble', []))})")
                    log(f"{name} r{rep} fold {k + 1}/{args.folds} {cname}: {shown}, "
                        f"{rec['seconds']:.1f} s{extra}  [{time.time() - started:.0f} s, load "
                        f"{os.getloadavg()[0]:.2f}]")
                if not args.keep:
                    shutil.rmtree(fold_dir, ignore_errors=True)

    text = render(results, contenders, budgets)
    overrun = strata_budget_overrun(results, budgets)
    print(text)
    if overrun:
        print("\nStrata budget: " + overrun)
    if failures:
        print("\nFailures:\n" + "\n".join(f"- {f}" for f in failures))
    log(f"OMP_WAIT_POLICY: {os.environ.get('OMP_WAIT_POLICY', 'unset')}")
    if args.no_results:
        return
    if len(fold_range) < args.folds:
        log("RESULTS.md not updated: this run is a piece (--only-folds); merge the pieces' "
            "journals with --report")
        return
    import optuna
    n_folds = args.folds * args.repeats
    section = (
        f"{SECTION}\n\n"
        f"`bench/automl/run.py` on {datetime.date.today().isoformat()}: {benchlib.machine()}; "
        f"load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
        f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY', 'unset (libgomp default)')} for "
        f"every contender (PASSIVE when the load was above 1 at the start: it slows XGBoost "
        f"on small data several times, so fewer AutoML trials run). "
        f"Peers: /usr/bin/python3 with {benchlib.versions()}, optuna {optuna.__version__}; "
        f"{args.threads} threads for every contender. Run time {time.time() - started:.0f} s.\n"
        f"Command: `{argv_text}` (Strata: `{os.path.relpath(strata, benchlib.ROOT)}`).\n\n"
        f"Protocol: stratified {args.folds}-fold cross-validation "
        f"(plain KFold for the regressions), shuffled, random_state 0"
        + (f", repeated {args.repeats} times (random_state 0..{args.repeats - 1})"
           if args.repeats > 1 else "") +
        f"; every contender trains on the same training rows and predicts the same test rows, "
        f"and every metric is computed here with sklearn from those predictions. Strata: "
        f"`strata automl --file train.csv --target LABEL --budget Bs --metric M --threads "
        f"{args.threads} [--positive-class MINORITY]` then `strata predict m --file test.csv`; "
        f"sklearn HGB and xgboost: library defaults (xgboost tree_method hist), string columns "
        f"ordinal-encoded; optuna-xgb: TPE over 7 xgboost parameters with early stopping on an "
        f"inner 20% split for the same budget as Strata, then refit on the whole training fold "
        f"(details in the script's docstring). The AutoGluon / H2O columns are the AutoML "
        f"Benchmark's published 1-hour, 10-fold figures (shared/datasets/README.md), on the "
        f"same data but other folds and other hardware (8 vCPUs), not rerun here.\n\n"
        f"{text}\n\n"
        + (f"Strata's budget: {overrun}.\n\n" if overrun else "")
        + ("Failures:\n" + "\n".join(f"- {f}" for f in failures) + "\n\n" if failures else "")
        + f"What this shows: how Strata's AutoML with a {'/'.join(str(b) + ' s' for b in budgets)}"
        f" budget on {args.threads} threads compares with strong untuned and tuned gradient "
        f"boosting baselines on identical folds ({n_folds} folds per data set), and how far it is "
        f"from the published 1-hour AutoML results. What it does not show: the published figures "
        f"come from different folds, hardware (8 vCPUs) and a {3600 // max(budgets)}x larger "
        f"budget, and differences smaller "
        f"than the fold-to-fold standard deviation (often ±0.01–0.03 AUC on the small sets) "
        f"are noise; with fewer than 10 folds the means are less certain still.\n")
    benchlib.update_results(SECTION, section)
    log(f"updated {benchlib.RESULTS}")


if __name__ == "__main__":
    main()
