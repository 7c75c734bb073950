#!/usr/bin/python3
"""Imbalanced data: every Strata balancing technique and combinations against the
imbalanced-learn (and sklearn/xgboost sample-weight) equivalents, with the same learner.

Data sets (/work/shared/datasets, see its README.md): hmda (deny = yes, 12%),
coil2000_ticdata (CARAVAN = insurance, 6%), churn (churn = yes, 14%), and satimage made
binary: its rarest class, "damp grey soil" (9.7%), against the rest.

For each data set and each of SPLITS seeds: a stratified split into 60% training, 20%
evaluation and 20% test rows. Strata gets the training and evaluation rows in one CSV with a
BOOL column is_eval (`train --split custom -o data_split_col=is_eval`): it trains on the
training rows, balances them only, and uses the evaluation rows to choose its decision
threshold (max F1). The peers train on the same training rows. Everyone predicts the test
rows; every metric is computed here, with the same sklearn functions, from the test rows'
probabilities: ROC AUC, PR AUC (average precision), Brier score, and balanced accuracy and F1
at each contender's decision rule (Strata: its predicted label, i.e. its stored threshold;
imblearn: 0.5, what predict() does; and, for a like-for-like rule, imblearn with the
threshold that maximises F1 on the same evaluation rows). Means over the splits.

The learner is the same for everyone: XGBoost 1.7 (the same libxgboost), hist with 256
bins, 100 rounds, depth 6, learning rate 0.1, lambda 1, min_child_weight 1, no early
stopping, 2 threads; categorical columns label-encoded in sorted order like Strata's tree
preprocessing (bench/train/peer.py). Techniques (Strata flags -> peer):
  none                              -> -
  --auto-class-weights              -> sklearn compute_sample_weight("balanced")
  --downsample 1                    -> RandomUnderSampler(1.0) + kept majority rows weighted
                                       by n_majority / n_kept (Strata's default upweighting)
  --downsample 1 --no-upweight      -> RandomUnderSampler(1.0)
  --upsample duplicate              -> RandomOverSampler(1.0)
  --upsample smote                  -> SMOTE(k_neighbors=5)
  --upsample smote_nc               -> SMOTENC(categorical columns, k_neighbors=5)
  --downsample 2 --upsample smote   -> RandomUnderSampler(0.5) + upweight, then SMOTE(1.0)
  --downsample 2 --upsample duplicate -> RandomUnderSampler(0.5) + upweight, then ROS(1.0)
  --downsample 2 --auto-class-weights -> RandomUnderSampler(0.5) + upweight, then balanced
                                       class weights on the weighted counts
Strata corrects predicted probabilities for the prior shift a technique causes (its
design); imbalanced-learn does not, which shows in the Brier score.

    /usr/bin/python3 bench/imbalance/run.py [--splits 3] [--datasets hmda,churn,...]
        [--strata build/strata] [--workdir /tmp/strata_bench/imbalance] [--no-results]
"""
import argparse
import datetime
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import (average_precision_score, balanced_accuracy_score, brier_score_loss,
                             f1_score, roc_auc_score)
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "train"))
import benchlib  # noqa: E402
import peer  # noqa: E402  (tree_matrix: Strata's tree encoding)

SECTION = "## Imbalanced data"
DATASETS = os.environ.get("STRATA_DATASETS", "/work/shared/datasets")
# name -> (file, label column, positive label, binarise: {value -> new value} or None)
SETS = {
    "hmda": ("hmda.csv", "deny", "yes", None),
    "coil2000_ticdata": ("coil2000_ticdata.csv", "CARAVAN", "insurance", None),
    "churn": ("churn.csv", "churn", "yes", None),
    "satimage": ("satimage.csv", "classes", "damp grey soil", "other"),
}
ROUNDS, DEPTH, ETA = 100, 6, 0.1

# (name, Strata flags, peer recipe: list of steps)
TECHNIQUES = [
    ("none", [], []),
    ("class weights (auto)", ["--auto-class-weights"], [("weights",)]),
    ("downsample 1:1 + upweight", ["--downsample", "1"], [("rus", 1.0, True)]),
    ("downsample 1:1, no upweight", ["--downsample", "1", "--no-upweight"], [("rus", 1.0, False)]),
    ("upsample duplicate 1:1", ["--upsample", "duplicate"], [("ros", 1.0)]),
    ("SMOTE 1:1", ["--upsample", "smote"], [("smote", 1.0)]),
    ("SMOTE-NC 1:1", ["--upsample", "smote_nc"], [("smotenc", 1.0)]),
    ("downsample 1:2 + SMOTE", ["--downsample", "2", "--upsample", "smote"],
     [("rus", 0.5, True), ("smote", 1.0)]),
    ("downsample 1:2 + duplicate", ["--downsample", "2", "--upsample", "duplicate"],
     [("rus", 0.5, True), ("ros", 1.0)]),
    ("downsample 1:2 + class weights", ["--downsample", "2", "--auto-class-weights"],
     [("rus", 0.5, True), ("weights",)]),
]


def load(name):
    file, label, positive, other = SETS[name]
    df = pd.read_csv(os.path.join(DATASETS, file))
    if other is not None:
        df[label] = np.where(df[label] == positive, positive, other)
    return df, label, positive


def write_split(df, label, seed, workdir, name):
    """Writes NAME_sSEED.csv (training + evaluation rows, is_eval) and NAME_sSEED_test.csv."""
    idx = np.arange(len(df))
    rest, test = train_test_split(idx, test_size=0.2, stratify=df[label], random_state=seed)
    train, evl = train_test_split(rest, test_size=0.25, stratify=df[label].iloc[rest],
                                  random_state=seed)
    part = df.iloc[np.concatenate([train, evl])].copy()
    part["is_eval"] = np.r_[np.zeros(len(train), bool), np.ones(len(evl), bool)]
    path = os.path.join(workdir, f"{name}_s{seed}.csv")
    test_path = os.path.join(workdir, f"{name}_s{seed}_test.csv")
    part.to_csv(path, index=False)
    df.iloc[test].to_csv(test_path, index=False)
    # Read back exactly what Strata reads.
    return pd.read_csv(path), pd.read_csv(test_path), path, test_path


def peer_resample(x, y, steps, cat_idx, seed):
    """Applies the imblearn equivalents; returns x, y, sample weights."""
    from imblearn.over_sampling import SMOTE, SMOTENC, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler
    w = np.ones(len(y))
    for step in steps:
        kind = step[0]
        if kind == "rus":
            ratio, upweight = step[1], step[2]
            n_major = int((y == 0).sum())
            rus = RandomUnderSampler(sampling_strategy=ratio, random_state=seed)
            x, y = rus.fit_resample(x, y)
            w = np.ones(len(y))
            if upweight:
                w[y == 0] = n_major / (y == 0).sum()
        elif kind in ("ros", "smote", "smotenc"):
            if kind == "ros":
                s = RandomOverSampler(sampling_strategy=step[1], random_state=seed)
            elif kind == "smote":
                s = SMOTE(sampling_strategy=step[1], k_neighbors=5, random_state=seed)
            else:
                s = SMOTENC(categorical_features=cat_idx, sampling_strategy=step[1],
                            k_neighbors=5, random_state=seed)
            # imblearn keeps the original rows first, in order, then appends new ones; new
            # rows take their class's mean weight (as Strata does).
            n0 = len(y)
            x, y = s.fit_resample(x, y)
            new_w = np.empty(len(y))
            new_w[:n0] = w
            for c in (0, 1):
                mask = np.zeros(len(y), bool)
                mask[n0:] = y[n0:] == c
                if mask.any():
                    new_w[mask] = w[y[:n0] == c].mean()
            w = new_w
        elif kind == "weights":
            total = w.sum()
            for c in (0, 1):
                mass = w[y == c].sum()
                if mass > 0:
                    w[y == c] *= total / (2 * mass)
    return x, y, w


def peer_fit_predict(x_train, y_train, w, x_eval, x_test, threads, seed):
    import xgboost as xgb
    params = {
        "objective": "binary:logistic", "eval_metric": "logloss", "booster": "gbtree",
        "tree_method": "hist", "max_bin": 256, "eta": ETA, "max_depth": DEPTH,
        "min_child_weight": 1, "gamma": 0, "subsample": 1, "alpha": 0, "lambda": 1,
        "seed": seed, "nthread": threads,
    }
    d = xgb.QuantileDMatrix(x_train, label=y_train, weight=w, max_bin=256, nthread=threads)
    booster = xgb.train(params, d, num_boost_round=ROUNDS)
    return (booster.predict(xgb.DMatrix(x_eval, nthread=threads)),
            booster.predict(xgb.DMatrix(x_test, nthread=threads)))


def best_f1_threshold(y, p):
    order = np.argsort(-p)
    ys, ps = y[order], p[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    f1 = 2 * tp / (tp + fp + ys.sum())
    # Only where the score changes, so ties share one threshold.
    last = np.r_[ps[1:] != ps[:-1], True]
    i = np.argmax(np.where(last, f1, -1))
    return ps[i]


def metrics(y, p, pred):
    return {"roc": roc_auc_score(y, p), "pr": average_precision_score(y, p),
            "brier": brier_score_loss(y, p), "bacc": balanced_accuracy_score(y, pred),
            "f1": f1_score(y, pred, zero_division=0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None, help="path of the strata binary")
    parser.add_argument("--workdir", default="/tmp/strata_bench/imbalance")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--datasets", default=",".join(SETS))
    parser.add_argument("--techniques", default="", help="comma-separated indexes (default all)")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    strata = benchlib.find_strata(args.strata)
    benchlib.resolve_wait_policy("auto")
    os.makedirs(args.workdir, exist_ok=True)
    env = benchlib.child_env(args.threads)
    techniques = TECHNIQUES
    if args.techniques:
        techniques = [TECHNIQUES[int(i)] for i in args.techniques.split(",")]
    load_start = os.getloadavg()[0]
    started = time.time()
    failures = []
    tables = []
    for name in args.datasets.split(","):
        df, label, positive = load(name)
        # [technique] -> list of per-split metric dicts
        res = {t[0]: {"strata": [], "peer": [], "peer_tuned": []} for t in techniques}
        for seed in range(args.splits):
            part, test, path, test_path = write_split(df, label, seed, args.workdir, name)
            ws = os.path.join(args.workdir, f"{name}_s{seed}.db")
            benchlib.remove_workspace(ws)
            benchlib.run_child([strata, "-q", "-w", ws, "collect", path, "--as", "t"], env)
            is_eval = part["is_eval"].to_numpy(bool)
            y_all = (part[label].astype(str) == positive).to_numpy(int)
            y_test = (test[label].astype(str) == positive).to_numpy(int)
            features = [c for c in part.columns if c not in (label, "is_eval")]
            x_all = peer.tree_matrix(part, features, is_eval)
            # The test rows, encoded with the training rows' categories.
            both = pd.concat([part[features], test[features]], ignore_index=True)
            mask = np.r_[is_eval, np.ones(len(test), bool)]
            x_test = peer.tree_matrix(both, features, mask)[len(part):]
            x_train, y_train = x_all[~is_eval], y_all[~is_eval]
            x_eval, y_eval = x_all[is_eval], y_all[is_eval]
            cat_idx = [i for i, c in enumerate(features) if part[c].dtype == object]
            for ti, (tname, flags, steps) in enumerate(techniques):
                if tname.startswith("SMOTE-NC") and not cat_idx:
                    continue  # no categorical column: SMOTE-NC is SMOTE
                model = f"m{ti}"
                argv = [strata, "-q", "-w", ws, "train", "t", "--target", label,
                        "--model", "BOOSTED_TREE_CLASSIFIER", "-o", f"max_iterations={ROUNDS}",
                        "-o", f"max_tree_depth={DEPTH}", "-o", f"learn_rate={ETA}",
                        "-o", "early_stop=false", "--split", "custom",
                        "-o", "data_split_col=is_eval", "-o", f"positive_class={positive}",
                        "--seed", str(42 + seed),
                        "--threads", str(args.threads), "--name", model, "--replace", *flags]
                _, _, _, err, rc = benchlib.run_child(argv, env, check=False)
                if rc != 0:
                    failures.append(f"{name} split {seed} {tname}: `strata train ... {' '.join(flags)}` "
                                    f"exit {rc}: {err.strip()[:300]}")
                else:
                    preds = os.path.join(args.workdir, f"{name}_s{seed}_{model}.csv")
                    argv = [strata, "-q", "-w", ws, "predict", model, "--file", test_path,
                            "--output", preds, "--only-predictions"]
                    _, _, _, err, rc = benchlib.run_child(argv, env, check=False)
                    if rc != 0:
                        failures.append(f"{name} split {seed} {tname}: `strata predict` exit {rc}: "
                                        f"{err.strip()[:300]}")
                    else:
                        p, lab = benchlib.strata_probs(preds, positive)
                        pred = (lab.astype(str) == positive).astype(int)
                        res[tname]["strata"].append(metrics(y_test, p, pred))
                xr, yr, w = peer_resample(x_train, y_train, steps, cat_idx, seed)
                p_eval, p_test = peer_fit_predict(xr, yr, w, x_eval, x_test, args.threads, seed)
                res[tname]["peer"].append(metrics(y_test, p_test, (p_test >= 0.5).astype(int)))
                t = best_f1_threshold(y_eval, p_eval)
                res[tname]["peer_tuned"].append(metrics(y_test, p_test, (p_test >= t).astype(int)))
            print(f"{name} split {seed} done ({time.time() - started:.0f} s, load "
                  f"{os.getloadavg()[0]:.2f})", file=sys.stderr)
        tables.append(render(name, df, label, positive, res))
        print(tables[-1])
    text = "\n\n".join(tables)
    if failures:
        text += "\n\nStrata failures:\n" + "\n".join(f"- {f}" for f in failures)
        print("\n".join(failures), file=sys.stderr)
    if args.no_results:
        return
    rel = os.path.relpath(strata, benchlib.ROOT)
    section = (
        f"{SECTION}\n\n"
        f"`bench/imbalance/run.py` on {datetime.date.today().isoformat()}: {benchlib.machine()}; "
        f"load average {load_start:.2f} at the start (quality only: no timings here). Peers: "
        f"/usr/bin/python3 with {benchlib.versions()}.\n"
        f"Learner for everyone: XGBoost (the same libxgboost 1.7), hist 256 bins, {ROUNDS} "
        f"rounds, depth {DEPTH}, learning rate {ETA}, no early stopping. Each data set: "
        f"{args.splits} stratified 60/20/20 splits (seeds 0..{args.splits - 1}) into training, "
        f"evaluation and test rows; means over the splits of metrics on the **test** rows, "
        f"each computed here with sklearn from the contender's probabilities (PR AUC = "
        f"average precision). Cells read `Strata / imblearn`. Balanced accuracy and F1 are at "
        f"each one's decision rule: Strata's predicted label (threshold chosen on the "
        f"evaluation rows for max F1, stored in the model), imblearn at 0.5 (predict()), and "
        f"in brackets imblearn with the max-F1 threshold of the same evaluation rows. "
        f"Strata is told the minority class is the positive one (`-o positive_class=...`): "
        f"by default it takes the second label in sorted order, which is the majority "
        f"class for coil2000_ticdata ('noinsurance') and satimage ('other'), and then tunes "
        f"its threshold for the majority's F1. "
        f"Strata corrects its probabilities for the prior shift of resampling/weighting; "
        f"imblearn does not (see Brier). satimage is binary: 'damp grey soil' (its rarest "
        f"class, 9.7%) against the rest. The peer equivalents of each technique are listed "
        f"in the script's docstring (imblearn RandomUnderSampler, RandomOverSampler, SMOTE, "
        f"SMOTENC; class weights and upweighting as XGBoost sample weights).\n\n"
        f"{text}\n\n"
        f"Command: `/usr/bin/python3 bench/imbalance/run.py --splits {args.splits} "
        f"--strata {rel}`; Strata's training is `strata -w W.db train t --target LABEL "
        f"--model BOOSTED_TREE_CLASSIFIER -o max_iterations={ROUNDS} -o max_tree_depth={DEPTH} "
        f"-o learn_rate={ETA} -o early_stop=false --split custom -o data_split_col=is_eval "
        f"-o positive_class=MINORITY --seed 42+SPLIT [technique flags]`, then `strata -w W.db predict M --file TEST.csv "
        f"--output preds.csv --only-predictions`. Run time {time.time() - started:.0f} s.\n")
    benchlib.update_results(SECTION, section)
    print(f"updated {benchlib.RESULTS}", file=sys.stderr)


def render(name, df, label, positive, res):
    n = len(df)
    share = float((df[label].astype(str) == positive).mean())
    lines = [f"**{name}** ({n:,} rows, positive '{positive}' {share:.1%}):", "",
             "| technique | ROC AUC | PR AUC | Brier | balanced accuracy | F1 |",
             "|---|---|---|---|---|---|"]

    def mean(runs, key):
        return statistics.mean(r[key] for r in runs) if runs else float("nan")

    base = None
    for tname, r in res.items():
        if not r["peer"]:
            continue
        s, i, it = r["strata"], r["peer"], r["peer_tuned"]
        cells = []
        for key in ("roc", "pr", "brier"):
            cells.append(f"{mean(s, key):.4f} / {mean(i, key):.4f}")
        for key in ("bacc", "f1"):
            cells.append(f"{mean(s, key):.3f} / {mean(i, key):.3f} ({mean(it, key):.3f})")
        if tname == "none":
            base = r
        lines.append(f"| {tname} | " + " | ".join(cells) + " |")
    if base and len(base["strata"]) > 1:
        sd = statistics.stdev(x["roc"] for x in base["strata"])
        lines.append("")
        lines.append(f"Spread: the standard deviation of ROC AUC over the splits (none, Strata) "
                     f"is {sd:.4f}; differences smaller than that are noise.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
