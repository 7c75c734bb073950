#!/usr/bin/python3
"""ML.PREDICT over a workspace table into a new table: `strata sql -c "CREATE TABLE preds AS
SELECT * FROM ML.PREDICT(MODEL m, TABLE t)"` against Python doing the same (pandas
read_sql + xgboost-python predict + DataFrame.to_sql; peer.py).

The table is bench/train's generated file (1M rows x 22 columns + is_eval) collected into a
fresh workspace; the model is a boosted tree of 100 rounds, depth 6, trained by Strata on it
(`strata train --split custom -o data_split_col=is_eval`) and exported as XGBoost JSON for
Python, so both predict with the same trees. Both write the same columns: the input's, then
predicted_label and predicted_label_probs (JSON text). Strata is also run on the first 100k
rows, to show its peak memory does not grow with the input. Median wall time of REPEAT
interleaved runs, largest peak RSS (os.wait4). Replaces the "## ML.PREDICT over a workspace
table" section of bench/RESULTS.md.

    /usr/bin/python3 bench/sql_predict/run.py [--rows 1000000] [--repeat 3] [--threads 2]
        [--strata build/strata] [--workdir /tmp/strata_bench/sql_predict] [--no-results]
"""
import argparse
import datetime
import json
import os
import sqlite3
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "train"))
import benchlib  # noqa: E402

SECTION = "## ML.PREDICT over a workspace table"


def strata(args, workspace, *command):
    wall, rss, out, err, _ = benchlib.run_child([args.strata, "-q", "-w", workspace, *command],
                                                benchlib.child_env(args.threads))
    return wall, rss, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None)
    parser.add_argument("--workdir", default="/tmp/strata_bench/sql_predict")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--omp-wait-policy", default="auto")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    args.strata = benchlib.find_strata(args.strata)
    policy = benchlib.resolve_wait_policy(args.omp_wait_policy)
    data, _ = benchlib.training_files(os.path.join(os.path.dirname(args.workdir), "train"), args.rows)
    os.makedirs(args.workdir, exist_ok=True)
    ws = os.path.join(args.workdir, "predict.db")
    model_json = os.path.join(args.workdir, "model.json")
    load = os.getloadavg()[0]

    # Setup (not timed): the table, a 100k-row copy, the model and its XGBoost JSON.
    benchlib.remove_workspace(ws)
    strata(args, ws, "collect", data, "--as", "t", "--threads", str(args.threads))
    strata(args, ws, "sql", "-c", "CREATE TABLE t100k AS SELECT * FROM t LIMIT 100000")
    strata(args, ws, "train", "t", "--target", "label", "--model", "BOOSTED_TREE_CLASSIFIER",
           "-o", "max_iterations=100", "-o", "max_tree_depth=6", "-o", "learn_rate=0.3",
           "-o", "early_stop=false", "--split", "custom", "-o", "data_split_col=is_eval",
           "--name", "m", "--threads", str(args.threads))
    strata(args, ws, "sql", "-c", f"EXPORT MODEL m OPTIONS(uri = '{model_json}', format = 'xgboost_json')")
    _, _, shown = strata(args, ws, "models", "show", "m", "--format", "json")
    model = json.loads(shown)
    threshold = model["threshold"]

    def run_strata(table, out):
        sql = f"DROP TABLE IF EXISTS {out}; CREATE TABLE {out} AS SELECT * FROM ML.PREDICT(MODEL m, TABLE {table})"
        wall, rss, _ = strata(args, ws, "sql", "-c", sql)
        return {"wall": wall, "rss": rss}

    def run_python():
        argv = [benchlib.PYTHON, os.path.join(HERE, "peer.py"), ws, "t", model_json, str(threshold),
                "preds_py", "--threads", str(args.threads)]
        wall, rss, out, _, _ = benchlib.run_child(argv, benchlib.child_env(args.threads))
        times = json.loads(out.strip().splitlines()[-1])["times"]
        return {"wall": times["total"], "process_wall": wall, "rss": rss, "times": times}

    results = {"strata": [], "strata100k": [], "python": []}
    for r in range(args.repeat):
        results["strata"].append(run_strata("t", "preds"))
        results["strata100k"].append(run_strata("t100k", "preds100k"))
        results["python"].append(run_python())
        print(f"[{r + 1}/{args.repeat}] strata {results['strata'][-1]['wall']:.2f} s, "
              f"python {results['python'][-1]['wall']:.2f} s, load {os.getloadavg()[0]:.2f}",
              file=sys.stderr)
    load_end = os.getloadavg()[0]

    # Same predictions: P(label = 1) of every row, Strata's against Python's.
    conn = sqlite3.connect(ws)
    rows = conn.execute(
        "SELECT max(abs(json_extract(a.predicted_label_probs, '$[1].prob') - "
        "json_extract(b.predicted_label_probs, '$[1].prob'))), sum(a.predicted_label != b.predicted_label), "
        "count(*) FROM preds a JOIN preds_py b ON a.rowid = b.rowid").fetchone()
    n_strata = conn.execute("SELECT count(*) FROM preds").fetchone()[0]
    conn.close()
    max_diff, label_diff, joined = rows

    def med(name, key="wall"):
        return statistics.median(x[key] for x in results[name])

    s_wall, p_wall = med("strata"), med("python")
    s_rss = max(x["rss"] for x in results["strata"])
    s100_rss = max(x["rss"] for x in results["strata100k"])
    p_rss = max(x["rss"] for x in results["python"])
    p_times = {k: statistics.median(x["times"][k] for x in results["python"])
               for k in ("read", "predict", "format", "write")}
    table = (
        "| contender | input rows | wall s (median) | vs Python | peak RSS MiB |\n"
        "|---|---|---|---|---|\n"
        f"| strata sql: CREATE TABLE AS SELECT * FROM ML.PREDICT | {args.rows:,} | {s_wall:.2f} | {s_wall / p_wall:.2f}x | {s_rss:.0f} |\n"
        f"| strata sql: the same on the first 100,000 rows | 100,000 | {med('strata100k'):.2f} | - | {s100_rss:.0f} |\n"
        f"| pandas read_sql + xgboost predict + to_sql | {args.rows:,} | {p_wall:.2f} "
        f"(read {p_times['read']:.2f} + predict {p_times['predict']:.2f} + format {p_times['format']:.2f} + write {p_times['write']:.2f}; "
        f"process {med('python', 'process_wall'):.2f}) | 1.00x | {p_rss:.0f} |")
    verdict = (f"Targets: faster than Python: {s_wall / p_wall:.2f}x -> {'met' if s_wall < p_wall else 'NOT met'}; "
               f"peak memory independent of the input's size: {s100_rss:.0f} MiB for 100k rows, "
               f"{s_rss:.0f} MiB for {args.rows:,} -> {'met' if s_rss <= 1.25 * s100_rss else 'NOT met'}. "
               f"Same predictions: {joined:,} of {n_strata:,} rows compared, largest |P(1)| difference "
               f"{max_diff:.2e}, {label_diff} predicted labels differ.")
    print(table)
    print(verdict)
    if args.no_results:
        return
    section = (
        f"{SECTION}\n\n"
        f"`bench/sql_predict/run.py` on {datetime.date.today().isoformat()}: {benchlib.machine()}; "
        f"load average {load:.2f} at the start, {load_end:.2f} at the end. Peers: /usr/bin/python3 with "
        f"{benchlib.versions()}.\n"
        f"Table `t`: bench/train's generated file ({args.rows:,} rows x 23 columns) collected into a "
        f"workspace. Model: BOOSTED_TREE_CLASSIFIER, 100 rounds, depth 6, trained by Strata and "
        f"exported as XGBoost JSON for Python (the same trees). Both write the input columns plus "
        f"predicted_label and predicted_label_probs (JSON text) to a new table of the same SQLite file; "
        f"{args.threads} threads{f', OMP_WAIT_POLICY={policy}' if policy else ''}; median of "
        f"{args.repeat} interleaved runs; Strata's wall time is the whole process, Python's is after its "
        f"imports.\n\n{table}\n\n{verdict}\n\n"
        f"Command: `/usr/bin/python3 bench/sql_predict/run.py --rows {args.rows} --repeat {args.repeat} "
        f"--threads {args.threads}`.\n")
    benchlib.update_results(SECTION, section)
    print(f"updated {benchlib.RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
