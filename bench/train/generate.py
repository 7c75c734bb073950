#!/usr/bin/python3
"""Writes the training benchmark file: ROWS rows, deterministic by seed.

22 columns: 16 FLOAT64 features f1..f16 (two with ~2% missing values), 3 INT64 features
i1..i3, 2 categorical STRING features c1 (12 values) and c2 (5 values), and the label
`label` (0/1, ~13% positives); plus a 23rd column `is_eval` (BOOL, ~10% true) that names the
evaluation rows, so every contender trains and evaluates on exactly the same rows.

The label is drawn from a logistic model whose log-odds are a nonlinear function of the
features (sines, products, thresholds, a squared term, category effects and a
category x number interaction) with the intercept solved for the positive rate, so the
achievable ROC AUC is well below 1 and trees beat linear models.

    /usr/bin/python3 bench/train/generate.py OUT.csv [--rows 1000000] [--seed 7]
        [--positive-rate 0.13] [--eval-fraction 0.1]
"""
import argparse

import numpy as np
import pandas as pd


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--positive-rate", type=float, default=0.13)
    parser.add_argument("--eval-fraction", type=float, default=0.10)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.rows

    f = {}
    for i in range(16):
        scale = 10.0 ** (i % 4 - 1)  # 0.1 ... 100
        f[f"f{i + 1}"] = rng.normal(0.0, 1.0, n) * scale
    i1 = rng.integers(0, 100, n)
    i2 = rng.integers(-5000, 5000, n)
    i3 = rng.poisson(3.0, n)
    c1_values = np.array([f"city_{k:02d}" for k in range(12)])
    c1_codes = rng.integers(0, len(c1_values), n)
    c2_values = np.array(["basic", "gold", "platinum", "silver", "trial"])
    c2_codes = rng.choice(len(c2_values), n, p=[0.4, 0.15, 0.05, 0.25, 0.15])

    # Standardised views for the label function (the columns have mixed scales).
    z = {k: v / (10.0 ** ((int(k[1:]) - 1) % 4 - 1)) for k, v in f.items()}
    c1_effect = np.linspace(-1.0, 1.0, len(c1_values))[rng.permutation(len(c1_values))]
    c2_slope = np.array([0.0, 0.6, 1.2, 0.3, -0.5])
    logit = (1.2 * np.sin(1.5 * z["f1"])
             + 0.9 * z["f2"] * z["f3"]
             + 0.8 * (z["f4"] > 0.7)
             - 0.5 * z["f5"] ** 2
             + 0.6 * np.abs(z["f6"])
             + 0.5 * z["f7"]
             - 0.4 * z["f8"]
             + 0.7 * np.maximum(z["f9"], 0) * (z["f10"] < 0)
             + c1_effect[c1_codes]
             + c2_slope[c2_codes] * z["f11"]
             + 0.3 * ((i1 % 10) < 3)
             + 0.25 * np.tanh(i2 / 2000.0)
             + 0.15 * (i3 - 3))
    # Intercept for the requested positive rate (bisection on the mean probability).
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(logit + mid).mean() < args.positive_rate:
            lo = mid
        else:
            hi = mid
    label = (rng.random(n) < sigmoid(logit + (lo + hi) / 2)).astype(np.int64)

    # Missing values in two feature columns (after the label is drawn from the full data).
    for k in ("f13", "f16"):
        f[k][rng.random(n) < 0.02] = np.nan

    data = dict(f)
    data["i1"] = i1
    data["i2"] = i2
    data["i3"] = i3
    data["c1"] = c1_values[c1_codes]
    data["c2"] = c2_values[c2_codes]
    data["label"] = label
    data["is_eval"] = np.where(rng.random(n) < args.eval_fraction, "true", "false")
    pd.DataFrame(data).to_csv(args.out, index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
