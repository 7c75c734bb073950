#!/usr/bin/python3
"""The Python contender of the ML.PREDICT benchmark, run as a child so its peak RSS is its
own: pandas.read_sql of the workspace table, the encoding Strata's trees use (numbers as
they are, STRING columns label-encoded in sorted order of the training categories),
xgboost-python's predict with the same trees (Strata's model exported as XGBoost JSON), the
same output columns as ML.PREDICT (the input columns, predicted_label and
predicted_label_probs as JSON text), and DataFrame.to_sql into a new table of the same
SQLite file. Prints one JSON line with the stage times (seconds, after the imports).

    peer.py WORKSPACE TABLE MODEL.json THRESHOLD OUT_TABLE [--threads 2]

The categories of each STRING column are those of the training rows (is_eval false), sorted,
as Strata's preprocessing learnt them.
"""
import argparse
import json
import sqlite3
import time

T_START = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402

LABEL = "label"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace")
    parser.add_argument("table")
    parser.add_argument("model")
    parser.add_argument("threshold", type=float)
    parser.add_argument("out_table")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    times = {"import": time.perf_counter() - T_START}

    booster = xgb.Booster(model_file=args.model)
    booster.set_param({"nthread": args.threads})
    conn = sqlite3.connect(args.workspace)

    t = time.perf_counter()
    df = pd.read_sql(f'SELECT * FROM "{args.table}"', conn)
    times["read"] = time.perf_counter() - t

    t = time.perf_counter()
    features = [c for c in df.columns if c not in (LABEL, "is_eval")]
    train = df["is_eval"].to_numpy() == 0
    cols = []
    for c in features:
        if df[c].dtype == object:
            categories = np.sort(df[c][train].dropna().unique())
            codes = pd.Categorical(df[c], categories=categories).codes.astype(np.float32)
            codes[codes < 0] = np.nan
            cols.append(codes)
        else:
            cols.append(df[c].to_numpy(dtype=np.float32, na_value=np.nan))
    x = np.column_stack(cols)
    p = booster.predict(xgb.DMatrix(x, nthread=args.threads))
    times["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    df["predicted_label"] = (p >= args.threshold).astype(np.int64)
    df["predicted_label_probs"] = [
        json.dumps([{"label": 0, "prob": float(1 - q)}, {"label": 1, "prob": float(q)}]) for q in p]
    times["format"] = time.perf_counter() - t

    t = time.perf_counter()
    conn.execute(f'DROP TABLE IF EXISTS "{args.out_table}"')
    df.to_sql(args.out_table, conn, index=False, chunksize=50_000)
    conn.commit()
    times["write"] = time.perf_counter() - t
    conn.close()
    times["total"] = sum(v for k, v in times.items() if k != "import")
    print(json.dumps({"times": times}))


if __name__ == "__main__":
    main()
