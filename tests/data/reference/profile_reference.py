#!/usr/bin/python3
"""Reference statistics for profile_test.cc, computed independently with pandas and numpy.

Regenerate (only when examples/data/churn.csv changes) from the repository root with
    /usr/bin/python3 tests/data/reference/profile_reference.py \
        > tests/data/reference/churn_profile_reference.json
Quantiles use numpy's default linear interpolation; std is the sample (ddof=1) deviation;
text lengths count code points; top values are ordered by count, then by value;
histograms are numpy.histogram(values, bins=20).
"""
import json
import os
import sys

import numpy as np
import pandas as pd

TOP_K = 5
BINS = 20
QUANTILES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def top_values(series):
    counts = series.value_counts(dropna=True)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_K]
    return [[v.item() if hasattr(v, "item") else v, int(c)] for v, c in ordered]


def profile_column(series):
    values = series.dropna()
    out = {
        "name": series.name,
        "count": int(values.size),
        "nulls": int(series.isna().sum()),
        "distinct": int(values.nunique()),
        "top_values": top_values(values),
    }
    if pd.api.types.is_numeric_dtype(series):
        out["type"] = "INT64" if pd.api.types.is_integer_dtype(series) else "FLOAT64"
        out["numeric"] = {
            "min": float(values.min()),
            "max": float(values.max()),
            "mean": float(values.mean()),
            "stddev": float(values.std(ddof=1)),
            "zeros": int((values == 0).sum()),
            **{name: float(values.quantile(q)) for name, q in QUANTILES.items()},
        }
        counts, edges = np.histogram(values.to_numpy(), bins=BINS)
        out["histogram"] = {"edges": [float(e) for e in edges],
                            "counts": [int(c) for c in counts]}
    else:
        lengths = values.str.len()
        out["type"] = "STRING"
        out["text"] = {
            "min_length": int(lengths.min()),
            "max_length": int(lengths.max()),
            "mean_length": float(lengths.mean()),
        }
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
    frame = pd.read_csv(os.path.join(root, "examples", "data", "churn.csv"))
    label = frame["churn"].value_counts()
    classes = sorted(label.items(), key=lambda kv: (-kv[1], kv[0]))
    reference = {
        "source": "examples/data/churn.csv",
        "generator": "tests/data/reference/profile_reference.py (pandas %s, numpy %s)"
                     % (pd.__version__, np.__version__),
        "rows": int(len(frame)),
        "columns": [profile_column(frame[name]) for name in frame.columns],
        "label": {
            "column": "churn",
            "classes": [
                {"label": k, "count": int(c), "fraction": float(c) / float(label.sum())}
                for k, c in classes
            ],
        },
    }
    json.dump(reference, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
