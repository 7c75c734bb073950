#!/usr/bin/python3
"""Writes the CSV-read benchmark file: ROWS rows x 22 columns, deterministic by seed.

18 float columns with ~6 significant digits (mixed magnitudes and signs, 1% missing in
one of them), 3 integer columns and 1 categorical column of 10 values; a header row.

    /usr/bin/python3 bench/csv_read/generate.py OUT.csv [--rows 1000000] [--seed 42]
"""
import argparse

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.rows
    data = {}
    for i in range(18):
        scale = 10.0 ** (i % 6 - 2)  # 0.01 ... 1000: short and long decimals alike
        values = rng.normal(0.0, 1.0, n) * scale
        if i == 17:
            values[rng.random(n) < 0.01] = np.nan  # a column with missing values
        data[f"f{i + 1}"] = values
    data["i1"] = rng.integers(0, 100, n)
    data["i2"] = rng.integers(-1_000_000, 1_000_000, n)
    data["i3"] = rng.integers(0, 2**40, n)
    categories = np.array(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
                           "hotel", "india", "juliett"])
    data["category"] = categories[rng.integers(0, len(categories), n)]
    pd.DataFrame(data).to_csv(args.out, index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
