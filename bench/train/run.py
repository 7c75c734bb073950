#!/usr/bin/python3
"""End-to-end boosted-tree training: `strata collect + train + predict` against pandas +
xgboost-python and pandas + scikit-learn's HistGradientBoostingClassifier.

One generated CSV (1M rows x 22 columns + is_eval by default; see generate.py). Every
contender trains on the rows where is_eval is false and predicts P(label = 1) for the rows
where it is true (Strata: `--split custom -o data_split_col=is_eval`; the peers split on the
same column), with the same parameters: 100 rounds, depth 6, learning rate 0.3, hist with
256 bins, lambda 1, min_child_weight 1, no subsampling, no early stopping, the same thread
count. Every contender runs in its own child processes, REPEAT times in interleaved order;
reported: median end-to-end wall time, the largest peak RSS (os.wait4), and ROC AUC / log
loss computed here with the same sklearn functions from each contender's probabilities.
Prints a Markdown table and replaces the "## Boosted tree training" section of
bench/RESULTS.md.

    /usr/bin/python3 bench/train/run.py [--rows 1000000] [--repeat 3] [--threads 2]
        [--strata build/strata] [--workdir /tmp/strata_bench/train] [--no-results]

Wall time: Strata's is the sum of the three processes' wall times (collect the whole CSV
into a fresh workspace, train, predict the evaluation rows from a CSV file of them to a CSV
file). The peers' is measured inside the child from after the imports: pandas.read_csv +
encoding + (Quantile)DMatrix + train + predict; the process wall time including the Python
and library imports is shown too.
"""
import argparse
import datetime
import os
import statistics
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

SECTION = "## Boosted tree training (end to end)"


def tree_train_args(args, categorical_splits=False):
    """Strata's options for the peers' model. The peers cut ordinal codes of the two string
    columns at thresholds, so Strata is told to do the same (categorical_splits=false);
    its default splits them as sets of categories, which is another model (one extra row)."""
    return ["--model", "BOOSTED_TREE_CLASSIFIER", "-o", f"max_iterations={args.rounds}",
            "-o", f"max_tree_depth={args.depth}", "-o", f"learn_rate={args.eta}",
            "-o", "early_stop=false",
            "-o", f"categorical_splits={'true' if categorical_splits else 'false'}"]


def fmt_steps(steps, keys):
    return " + ".join(f"{steps[k]:.2f}" for k in keys if k in steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None, help="path of the strata binary")
    parser.add_argument("--workdir", default="/tmp/strata_bench/train")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--eta", type=float, default=0.3)
    parser.add_argument("--skip-hgb", action="store_true", help="leave HistGradientBoosting out")
    parser.add_argument("--omp-wait-policy", default="auto",
                        help="OMP_WAIT_POLICY for every child: auto (PASSIVE when the load "
                             "average is above 1), passive, active or default (unset)")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    strata = benchlib.find_strata(args.strata)
    policy = benchlib.resolve_wait_policy(args.omp_wait_policy)
    data, evalf = benchlib.training_files(args.workdir, args.rows)
    size_mb = os.path.getsize(data) / 1e6
    load = os.getloadavg()[0]
    print(f"load average at start: {os.getloadavg()}; OMP_WAIT_POLICY={policy}", file=sys.stderr)
    with open(data, "rb") as f:  # warm the page cache for everyone
        while f.read(1 << 24):
            pass
    y_eval = pd.read_csv(evalf, usecols=["label"])["label"].to_numpy()

    peer_args = ["--rounds", str(args.rounds), "--depth", str(args.depth), "--eta", str(args.eta)]
    contenders = [
        ("strata train --file + predict", lambda: benchlib.run_strata(
                           strata, data, evalf, args.workdir, args.threads,
                           tree_train_args(args), "tree", route="file")),
        ("strata train --file + predict, categorical splits (Strata's default)",
         lambda: benchlib.run_strata(strata, data, evalf, args.workdir, args.threads,
                                     tree_train_args(args, categorical_splits=True), "tree_cat",
                                     route="file")),
        ("strata collect + train + predict", lambda: benchlib.run_strata(
                           strata, data, evalf, args.workdir, args.threads,
                           tree_train_args(args), "tree_ws", route="workspace")),
        ("pandas + xgboost", lambda: benchlib.run_peer("xgboost", data, args.workdir, args.threads, peer_args)),
    ]
    if not args.skip_hgb:
        contenders.append(("pandas + sklearn HistGradientBoosting",
                           lambda: benchlib.run_peer("hgb", data, args.workdir, args.threads, peer_args)))
    results = {name: [] for name, _ in contenders}
    for r in range(args.repeat):
        for name, fn in contenders:
            res = fn()
            res["auc"] = roc_auc_score(y_eval, res["probs"])
            res["logloss"] = log_loss(y_eval, res["probs"])
            results[name].append(res)
            print(f"[{r + 1}/{args.repeat}] {name}: {res['wall']:.2f} s, {res['rss']:.0f} MiB, "
                  f"AUC {res['auc']:.5f}, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    load_end = os.getloadavg()[0]

    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    xgb_name = "pandas + xgboost"
    xgb_wall = med(xgb_name, "wall")
    rows = []
    for name, _ in contenders:
        runs = results[name]
        wall = med(name, "wall")
        pwall = med(name, "process_wall")
        rss = max(r["rss"] for r in runs)
        steps = {k: statistics.median(r["steps"][k] for r in runs) for k in runs[0]["steps"]}
        if name.startswith("strata"):
            keys = [k for k in ["collect", "train", "predict"] if k in steps]
            detail = " + ".join(keys) + " " + fmt_steps(steps, keys)
            inner = [r["own"].get("training_seconds") for r in runs]
            if all(isinstance(v, (int, float)) for v in inner):
                detail += f" (train's lineage.training_seconds {statistics.median(inner):.2f})"
        else:
            detail = ("read + encode/DMatrix + train + predict "
                      + fmt_steps(steps, ["read", "prepare", "train", "predict"]))
        auc = runs[0]["auc"]
        ll = runs[0]["logloss"]
        spread = max(r["auc"] for r in runs) - min(r["auc"] for r in runs)
        rows.append(f"| {name} | {args.threads} | {wall:.2f} | {pwall:.2f} | {wall / xgb_wall:.2f}x "
                    f"| {detail} | {rss:.0f} | {auc:.5f} | {ll:.5f} |"
                    + (f" (AUC spread over runs {spread:.1e})" if spread > 1e-9 else ""))
    table = ("| contender | threads | wall s (median) | process wall s | vs pandas+xgboost "
             "| stages s (median) | peak RSS MiB | ROC AUC | log loss |\n"
             "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    print(table)

    s_name = contenders[0][0]
    s_wall = med(s_name, "wall")
    s_rss = max(r["rss"] for r in results[s_name])
    x_rss = max(r["rss"] for r in results[xgb_name])
    d_auc = results[s_name][0]["auc"] - results[xgb_name][0]["auc"]
    ratio = s_wall / xgb_wall
    own = results[s_name][0]["own"]
    checks = [
        f"wall time {ratio:.2f}x pandas+xgboost's (target <= 0.75x): "
        f"{'met' if ratio <= 0.75 else 'NOT met'}",
        f"ROC AUC difference {d_auc:+.5f} (target within +-0.002): "
        f"{'met' if abs(d_auc) <= 0.002 else 'NOT met'}",
        f"peak RSS {s_rss:.0f} vs {x_rss:.0f} MiB (target: no higher): "
        f"{'met' if s_rss <= x_rss else 'NOT met'}",
    ]
    verdict = f"Targets ({s_name}): " + "; ".join(checks) + "."
    x_steps = results[xgb_name]
    xgb_share = statistics.median(
        (r["info"]["dmatrix"] + r["steps"]["train"]) / r["wall"] for r in x_steps)
    verdict += (f"\nFloor: the peer's QuantileDMatrix + train (XGBoost's own work: sketch, "
                f"histogram index, {args.rounds} rounds) take {xgb_share:.2f}x of its wall time, "
                f"and Strata runs the same work in the same library with the same parameters "
                f"(its predictions are identical); the remaining share is what reading, "
                f"encoding and predicting can save.")
    if own:
        verdict += (f"\nStrata's own evaluation of the same rows (`train --format json` metrics): "
                    f"roc_auc {own.get('roc_auc', float('nan')):.5f}, "
                    f"log_loss {own.get('log_loss', float('nan')):.5f}.")
    print(verdict)
    if args.no_results:
        return
    rel = os.path.relpath(strata, benchlib.ROOT)
    section = (
        f"{SECTION}\n\n"
        f"`bench/train/run.py` on {datetime.date.today().isoformat()}: {benchlib.machine()}; "
        f"load average {load:.2f} at the start, {load_end:.2f} at the end"
        f"{' (the machine was shared with builds: absolute times are inflated, compare ratios)' if max(load, load_end) > 1.5 else ''}. "
        f"Peers: /usr/bin/python3 with {benchlib.versions()}.\n"
        f"File: {args.rows:,} rows x 22 columns (16 FLOAT64, 3 INT64, 2 categorical STRING, "
        f"label 0/1 with {float(np.mean(y_eval)):.1%} positives in the evaluation rows) + "
        f"`is_eval` (BOOL, {len(y_eval):,} evaluation rows), {size_mb:.1f} MB, `generate.py`, "
        f"in the page cache. Boosted trees: {args.rounds} rounds, depth {args.depth}, "
        f"learning rate {args.eta}, hist 256 bins, lambda 1, min_child_weight 1, no "
        f"subsampling, no early stopping, the string columns' sorted codes cut at thresholds "
        f"(Strata: `-o categorical_splits=false`; one row shows Strata's default, which splits "
        f"columns of at most 16 categories as sets of categories), {args.threads} threads for everyone"
        f"{f', OMP_WAIT_POLICY={policy} for everyone (with the default spinning policy on a busy machine, XGBoost ran up to 15x slower in both Strata and Python; see benchlib.py)' if policy else ''} (HGB: "
        f"max_leaf_nodes None, min_samples_leaf 1, 255 bins). Median of {args.repeat} runs, "
        f"interleaved; peak RSS is the largest of the contender's processes (os.wait4); "
        f"ROC AUC and log loss are computed by this script with sklearn from each "
        f"contender's probabilities for the same evaluation rows.\n"
        f"Wall s: Strata's processes start to exit (`train --file` straight from the CSV, "
        f"or collect into a fresh workspace then train the table; then predict the evaluation "
        f"rows from a CSV file to a CSV file); the peers' "
        f"read + encode/DMatrix + train + predict inside the process, after the imports "
        f"(process wall s includes interpreter start and imports).\n\n"
        f"{table}\n\n{verdict}\n\n"
        f"Commands: `/usr/bin/python3 bench/train/run.py --rows {args.rows} --repeat "
        f"{args.repeat} --threads {args.threads} --strata {rel}"
        f"{f' --omp-wait-policy {policy.lower()}' if policy else ''}`; Strata's steps are "
        f"`strata -w W.db train --file FILE ...` or `strata -w W.db collect FILE --as t "
        f"--threads {args.threads}` then "
        f"`strata -w W.db train t --target label --model BOOSTED_TREE_CLASSIFIER "
        f"-o max_iterations={args.rounds} -o max_tree_depth={args.depth} -o learn_rate={args.eta} "
        f"-o early_stop=false -o categorical_splits=false --split custom "
        f"-o data_split_col=is_eval --name m "
        f"--threads {args.threads}`, `strata -w W.db predict m --file EVAL.csv --output "
        f"preds.csv --only-predictions`; the peers are `bench/train/peer.py xgboost|hgb`.\n")
    benchlib.update_results(SECTION, section)
    print(f"updated {benchlib.RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
