#!/usr/bin/python3
"""One Python contender of the training benchmarks, run as a child process so its peak RSS
can be measured on its own. Reads the CSV with pandas, encodes it the way Strata's
preprocessing does for the model family, trains on the rows where is_eval is false,
predicts the rows where it is true, and saves P(label = 1) for them to OUT.npy. Prints one
JSON line with the stage times (seconds, from after the imports).

    peer.py xgboost FILE OUT.npy --threads 2 [--rounds 100 --depth 6 --eta 0.3]
    peer.py hgb     FILE OUT.npy --threads 2 [same]
    peer.py logistic FILE OUT.npy --threads 2 [--l2 1.0 --max-iter 100]

Encodings (src/prep/preprocess.cc):
  trees: numbers as they are (NaN = missing); STRING columns label-encoded with the
         categories in sorted order (codes 0..k-1, missing/unseen -> NaN).
  logistic: numbers standardised with the training mean and population std, NaN -> 0 (the
         mean); STRING columns one-hot over the training categories (unseen -> all zeros).
"""
import argparse
import json
import time

T_START = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

LABEL = "label"
SPLIT = "is_eval"


def split_frame(df):
    is_eval = df[SPLIT].to_numpy(dtype=bool)
    y = df[LABEL].to_numpy(dtype=np.float64)
    features = [c for c in df.columns if c not in (LABEL, SPLIT)]
    return features, is_eval, y


def tree_matrix(df, features, is_eval):
    """Label-encodes STRING columns (sorted training categories) into a float matrix."""
    cols = []
    train = ~is_eval
    for c in features:
        s = df[c]
        if s.dtype == object:
            cats = np.sort(s[train].dropna().unique())
            codes = pd.Categorical(s, categories=cats).codes.astype(np.float64)
            codes[codes < 0] = np.nan
            cols.append(codes)
        else:
            cols.append(s.to_numpy(dtype=np.float64))
    return np.column_stack(cols)


def linear_matrix(df, features, is_eval):
    """Standardises numbers and one-hot encodes STRING columns, fitted on the training rows."""
    cols = []
    train = ~is_eval
    for c in features:
        s = df[c]
        if s.dtype == object:
            cats = np.sort(s[train].dropna().unique())
            codes = pd.Categorical(s, categories=cats).codes
            onehot = np.zeros((len(s), len(cats)))
            ok = codes >= 0
            onehot[np.nonzero(ok)[0], codes[ok]] = 1.0
            cols.append(onehot)
        else:
            v = s.to_numpy(dtype=np.float64)
            t = v[train]
            t = t[np.isfinite(t)]
            mean = t.mean() if len(t) else 0.0
            std = t.std() if len(t) else 1.0
            if not std > 0:
                std = 1.0
            z = (v - mean) / std
            z[~np.isfinite(z)] = 0.0
            cols.append(z[:, None])
    return np.hstack(cols)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["xgboost", "hgb", "logistic"])
    parser.add_argument("file")
    parser.add_argument("out")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--eta", type=float, default=0.3)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    times = {}
    if args.kind == "xgboost":
        import xgboost as xgb
    elif args.kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier
    else:
        from sklearn.linear_model import LogisticRegression
    times["import"] = time.perf_counter() - T_START

    t = time.perf_counter()
    df = pd.read_csv(args.file)
    times["read"] = time.perf_counter() - t

    t = time.perf_counter()
    features, is_eval, y = split_frame(df)
    info = {}
    if args.kind == "xgboost":
        x = tree_matrix(df, features, is_eval)
        del df
        info["encode"] = time.perf_counter() - t
        dtrain = xgb.QuantileDMatrix(x[~is_eval], label=y[~is_eval], max_bin=256,
                                     nthread=args.threads)
        x_eval = x[is_eval]
        del x
        times["prepare"] = time.perf_counter() - t
        info["dmatrix"] = times["prepare"] - info["encode"]
        # The parameters Strata's PlanTreeTraining sets (src/models/tree_models.cc).
        params = {
            "objective": "binary:logistic", "eval_metric": "logloss", "booster": "gbtree",
            "tree_method": "hist", "max_bin": 256, "eta": args.eta, "max_depth": args.depth,
            "min_child_weight": 1, "gamma": 0, "subsample": 1, "colsample_bytree": 1,
            "colsample_bylevel": 1, "colsample_bynode": 1, "alpha": 0, "lambda": 1,
            "num_parallel_tree": 1, "seed": args.seed, "nthread": args.threads,
            "validate_parameters": 1,
        }
        t = time.perf_counter()
        booster = xgb.train(params, dtrain, num_boost_round=args.rounds)
        times["train"] = time.perf_counter() - t
        t = time.perf_counter()
        p = booster.predict(xgb.DMatrix(x_eval, nthread=args.threads))
        times["predict"] = time.perf_counter() - t
    elif args.kind == "hgb":
        x = tree_matrix(df, features, is_eval)
        del df
        x_train, y_train, x_eval = x[~is_eval], y[~is_eval], x[is_eval]
        del x
        times["prepare"] = time.perf_counter() - t
        # As close to the XGBoost parameters as HGB allows: depth-wise trees of depth 6
        # (no leaf limit), 255 bins (+1 for missing values), L2 1, no early stopping.
        model = HistGradientBoostingClassifier(
            learning_rate=args.eta, max_iter=args.rounds, max_depth=args.depth,
            max_leaf_nodes=None, min_samples_leaf=1, l2_regularization=1.0, max_bins=255,
            early_stopping=False, random_state=args.seed)
        t = time.perf_counter()
        model.fit(x_train, y_train)
        times["train"] = time.perf_counter() - t
        t = time.perf_counter()
        p = model.predict_proba(x_eval)[:, 1]
        times["predict"] = time.perf_counter() - t
    else:
        x = linear_matrix(df, features, is_eval)
        del df
        x_train, y_train, x_eval = x[~is_eval], y[~is_eval], x[is_eval]
        del x
        times["prepare"] = time.perf_counter() - t
        # sklearn minimises C * sum(loss) + |w|^2 / 2; Strata sum(loss) + l2_reg * |w|^2 / 2.
        model = LogisticRegression(C=1.0 / args.l2 if args.l2 > 0 else 1e12, solver="lbfgs",
                                   max_iter=args.max_iter)
        t = time.perf_counter()
        model.fit(x_train, y_train)
        times["train"] = time.perf_counter() - t
        info["iterations"] = int(np.max(model.n_iter_))
        t = time.perf_counter()
        p = model.predict_proba(x_eval)[:, 1]
        times["predict"] = time.perf_counter() - t
    times["total"] = sum(v for k, v in times.items() if k != "import")
    np.save(args.out, np.asarray(p, dtype=np.float64))
    print(json.dumps({"times": times, **info}))


if __name__ == "__main__":
    main()
