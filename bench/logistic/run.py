#!/usr/bin/python3
"""Logistic regression end to end: `strata train --file LOGISTIC_REG + predict` against
pandas + scikit-learn's LogisticRegression (lbfgs), on the file of bench/train.

The same generated CSV as bench/train (1M rows x 22 columns + is_eval; generate.py), the
same training and evaluation rows (is_eval), the same objective: mean log loss + an L2
penalty, Strata `l2_reg = L2` and sklearn `C = 1 / L2` (sklearn minimises C * sum(loss) +
|w|^2 / 2, Strata sum(loss) + l2_reg * |w|^2 / 2), on the same features (numbers
standardised with the training mean and population std, missing -> mean, STRING columns
one-hot; bench/train/peer.py mirrors src/prep/preprocess.cc). Strata runs twice: with
BigQuery ML's defaults (max_iterations 20, early_stop with min_rel_progress 0.01) and run to
convergence (max_iterations 100, early_stop false); sklearn with its defaults (max_iter 100,
tol 1e-4). Every contender runs in child processes, REPEAT times interleaved; reported:
median wall time, largest peak RSS (os.wait4), ROC AUC and log loss computed here with
sklearn from each contender's probabilities for the evaluation rows. Replaces the
"## Logistic regression" section of bench/RESULTS.md.

    /usr/bin/python3 bench/logistic/run.py [--rows 1000000] [--repeat 3] [--threads 2]
        [--l2 1.0] [--strata build/strata] [--workdir /tmp/strata_bench/train] [--no-results]
"""
import argparse
import datetime
import os
import statistics
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "train"))
import benchlib  # noqa: E402

SECTION = "## Logistic regression"
LOGLOSS_TOLERANCE = 0.001  # "equal log loss": within this of sklearn's


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None, help="path of the strata binary")
    parser.add_argument("--workdir", default="/tmp/strata_bench/train")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--omp-wait-policy", default="auto",
                        help="OMP_WAIT_POLICY for every child (see bench/train/benchlib.py)")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    strata = benchlib.find_strata(args.strata)
    policy = benchlib.resolve_wait_policy(args.omp_wait_policy)
    data, evalf = benchlib.training_files(args.workdir, args.rows)
    size_mb = os.path.getsize(data) / 1e6
    load = os.getloadavg()[0]
    print(f"load average at start: {os.getloadavg()}; OMP_WAIT_POLICY={policy}", file=sys.stderr)
    with open(data, "rb") as f:
        while f.read(1 << 24):
            pass
    y_eval = pd.read_csv(evalf, usecols=["label"])["label"].to_numpy()

    base = ["--model", "LOGISTIC_REG", "-o", f"l2_reg={args.l2}"]
    converge = base + ["-o", "max_iterations=100", "-o", "early_stop=false"]
    contenders = [
        ("strata LOGISTIC_REG (BigQuery ML defaults)", " ".join(base),
         lambda: benchlib.run_strata(strata, data, evalf, args.workdir, args.threads, base,
                                     "logistic")),
        ("strata LOGISTIC_REG (max_iterations=100, early_stop=false)", " ".join(converge),
         lambda: benchlib.run_strata(strata, data, evalf, args.workdir, args.threads, converge,
                                     "logistic100")),
        ("pandas + sklearn LogisticRegression(lbfgs)", f"C={1 / args.l2:g}, max_iter=100",
         lambda: benchlib.run_peer("logistic", data, args.workdir, args.threads,
                                   ["--l2", str(args.l2), "--max-iter", "100"])),
    ]
    results = {name: [] for name, _, _ in contenders}
    for r in range(args.repeat):
        for name, _, fn in contenders:
            res = fn()
            res["auc"] = roc_auc_score(y_eval, res["probs"])
            res["logloss"] = log_loss(y_eval, res["probs"])
            results[name].append(res)
            print(f"[{r + 1}/{args.repeat}] {name}: {res['wall']:.2f} s, {res['rss']:.0f} MiB, "
                  f"log loss {res['logloss']:.6f}, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    load_end = os.getloadavg()[0]

    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    peer = contenders[-1][0]
    peer_wall = med(peer, "wall")
    peer_ll = results[peer][0]["logloss"]
    rows = []
    verdicts = []
    for name, settings, _ in contenders:
        runs = results[name]
        wall = med(name, "wall")
        steps = {k: statistics.median(r["steps"][k] for r in runs) for k in runs[0]["steps"]}
        if name.startswith("strata"):
            keys = [k for k in ("collect", "train", "predict") if k in steps]
            detail = " + ".join(keys) + " " + " + ".join(f"{steps[k]:.2f}" for k in keys)
        else:
            detail = "read + encode + fit + predict " + " + ".join(
                f"{steps[k]:.2f}" for k in ("read", "prepare", "train", "predict"))
        ll = runs[0]["logloss"]
        rows.append(f"| {name} | `{settings}` | {args.threads} | {wall:.2f} | "
                    f"{med(name, 'process_wall'):.2f} | {wall / peer_wall:.2f}x | {detail} | "
                    f"{max(r['rss'] for r in runs):.0f} | {runs[0]['auc']:.5f} | {ll:.6f} | "
                    f"{ll - peer_ll:+.6f} |")
        if name.startswith("strata"):
            ratio = wall / peer_wall
            equal = abs(ll - peer_ll) <= LOGLOSS_TOLERANCE
            verdicts.append(f"{name}: time ratio {ratio:.2f} (target <= 1): "
                            f"{'met' if ratio <= 1 else 'NOT met'}; log loss {ll - peer_ll:+.6f} vs "
                            f"sklearn (equal within {LOGLOSS_TOLERANCE}): "
                            f"{'yes' if equal else 'NO'} -> "
                            f"{'target met' if ratio <= 1 and equal else 'target NOT met'}")
    table = ("| contender | settings | threads | wall s (median) | process wall s | vs sklearn "
             "| stages s (median) | peak RSS MiB | ROC AUC | log loss | log loss - sklearn's |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    verdict = "Targets:\n" + "\n".join(f"- {v}." for v in verdicts)
    print(table)
    print(verdict)
    if args.no_results:
        return
    rel = os.path.relpath(strata, benchlib.ROOT)
    busy = max(load, load_end) > 1.5
    section = (
        f"{SECTION}\n\n"
        f"`bench/logistic/run.py` on {datetime.date.today().isoformat()}: {benchlib.machine()}; "
        f"load average {load:.2f} at the start, {load_end:.2f} at the end"
        f"{' (the machine was shared with builds: absolute times are inflated, compare ratios)' if busy else ''}. "
        f"Peers: /usr/bin/python3 with {benchlib.versions()}.\n"
        f"File: the boosted-tree benchmark's ({args.rows:,} rows x 22 columns + `is_eval`, "
        f"{size_mb:.1f} MB, `bench/train/generate.py`; {len(y_eval):,} evaluation rows). "
        f"Same objective for everyone: log loss + L2 {args.l2:g} (Strata `l2_reg={args.l2:g}`, "
        f"sklearn `C={1 / args.l2:g}`), standardised numbers and one-hot categories; "
        f"{args.threads} threads for everyone"
        f"{f', OMP_WAIT_POLICY={policy}' if policy else ''}. Median of {args.repeat} runs, "
        f"interleaved; peak RSS is the largest of the contender's processes (os.wait4); ROC "
        f"AUC and log loss computed by this script with sklearn from each contender's "
        f"probabilities for the same evaluation rows.\n"
        f"Wall s: Strata's two processes (`train --file` straight from the CSV, predict "
        f"the evaluation rows from a CSV file to a CSV file); sklearn's read + encode + fit + "
        f"predict inside the process after the imports (process wall s includes interpreter "
        f"start and imports).\n\n"
        f"{table}\n\n{verdict}\n\n"
        f"Command: `/usr/bin/python3 bench/logistic/run.py --rows {args.rows} --repeat "
        f"{args.repeat} --threads {args.threads} --l2 {args.l2:g} --strata {rel}"
        f"{f' --omp-wait-policy {policy.lower()}' if policy else ''}`; Strata's training step is "
        f"`strata -w W.db train --file FILE --target label --model LOGISTIC_REG -o l2_reg={args.l2:g} "
        f"[-o max_iterations=100 -o early_stop=false] --split custom -o data_split_col=is_eval "
        f"--name m --threads {args.threads}` (predict as in the boosted-tree "
        f"benchmark); the peer is `bench/train/peer.py logistic`.\n")
    benchlib.update_results(SECTION, section)
    print(f"updated {benchlib.RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
