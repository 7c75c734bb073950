#!/usr/bin/python3
"""Writes the reference files of the XGBoost import test (tests/sql/scripts/xgboost_import.test):
an XGBoost model trained by xgboost-python on four numeric columns of the bundled churn data,
saved by Booster.save_model as JSON (with its feature names), a regressor saved without feature
names, and the probabilities / values xgboost-python predicts for every row. Strata imports the
models (CREATE MODEL ... OPTIONS(model_type = 'XGBOOST', model_path = ...)) and must predict the
same.

    /usr/bin/python3 tests/sql/reference/xgboost_import_reference.py   (from the repository root)
"""
import os

import numpy as np
import pandas as pd
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FEATURES = ["total_day_minutes", "total_eve_minutes", "number_customer_service_calls", "total_intl_calls"]


def main():
    df = pd.read_csv(os.path.join(ROOT, "examples", "data", "churn.csv"))
    x = df[FEATURES].to_numpy(dtype=np.float64)
    y = (df["churn"] == "yes").to_numpy(dtype=np.float64)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 1, "nthread": 1}
    clf = xgb.train(params, xgb.DMatrix(x, label=y, feature_names=FEATURES), num_boost_round=10)
    clf.save_model(os.path.join(HERE, "xgb_churn_classifier.json"))

    reg_params = {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3, "seed": 1, "nthread": 1}
    target = df["total_night_minutes"].to_numpy(dtype=np.float64)
    reg = xgb.train(reg_params, xgb.DMatrix(x, label=target), num_boost_round=10)  # no feature names
    reg.save_model(os.path.join(HERE, "xgb_night_regressor.json"))

    out = pd.DataFrame({
        "row": np.arange(1, len(df) + 1),
        "p_yes": clf.predict(xgb.DMatrix(x, feature_names=FEATURES)).astype(np.float64),
        "night": reg.predict(xgb.DMatrix(x)).astype(np.float64),
    })
    out.to_csv(os.path.join(HERE, "xgb_import_predictions.csv"), index=False, float_format="%.9g")


if __name__ == "__main__":
    main()
