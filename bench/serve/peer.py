"""The Python contender of the serving benchmark: a FastAPI app, served by uvicorn, that
answers the same two routes as `strata serve` with the same trees (Strata's model exported
as XGBoost JSON) and the same JSON shapes:

    POST /v1/models/{name}:predict  {"instances": [{"make": 0.0, ...}]}   (TF-Serving)
    POST /v2/models/{name}/infer    {"inputs": [{"name": "input__0", "shape": [1, F],
                                                 "datatype": "FP64", "data": [[...]]}]}  (KServe v2)

No preprocessing is needed: the benchmark's data set (spambase) is all numeric, and Strata's
trees take numbers as they are, in the model's input order. The handlers take the fastest
path FastAPI offers (the raw body through json.loads, a float32 numpy row, xgboost's
inplace_predict with one thread; no pydantic model), so the peer is at its best.

Configured by the environment (uvicorn imports this module once per worker):
    STRATA_PEER_META   JSON file: {"model": NAME, "xgboost_json": PATH, "features": [...],
                       "classes": [NEG, POS], "threshold": T, "label": LABEL}

    STRATA_PEER_META=meta.json /usr/bin/python3 -m uvicorn peer:app --app-dir bench/serve \
        --port 8081 --workers 1 --loop uvloop --http httptools --no-access-log
"""
import json
import os

import numpy as np
import xgboost as xgb
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

with open(os.environ["STRATA_PEER_META"]) as f:
    META = json.load(f)
FEATURES = META["features"]
CLASSES = META["classes"]
THRESHOLD = float(META["threshold"])
LABEL = META["label"]
MODEL = META["model"]
BOOSTER = xgb.Booster(model_file=META["xgboost_json"])
BOOSTER.set_param({"nthread": 1})

app = FastAPI()


def error(status, message):
    code = "NOT_FOUND" if status == 404 else "INVALID_ARGUMENT"
    return JSONResponse({"error": {"code": code, "message": message, "details": {}}},
                        status_code=status)


def predict(x):
    """P(positive class) of each row of the float32 matrix x."""
    return BOOSTER.inplace_predict(x)


def dumps(obj):
    return Response(json.dumps(obj, separators=(",", ":")), media_type="application/json")


@app.get("/healthz")
async def healthz():
    return {"live": True}


async def read_field(name, request, field):
    """(body, body[field], None), or (None, None, an error response) for an unknown model or
    a body without a non-empty list in `field`."""
    if name != MODEL:
        return None, None, error(404, f"no model named '{name}'")
    body = json.loads(await request.body())
    value = body.get(field) if isinstance(body, dict) else None
    if not isinstance(value, list) or not value:
        return None, None, error(400, f"the body lacks the field \"{field}\" (a non-empty list)")
    return body, value, None


@app.post("/v1/models/{name}:predict")
async def v1_predict(name: str, request: Request):
    _, instances, failed = await read_field(name, request, "instances")
    if failed:
        return failed
    x = np.array([[row[c] for c in FEATURES] if isinstance(row, dict) else row for row in instances],
                 dtype=np.float32)
    p = predict(x)
    predictions = []
    for q in p.tolist():
        predictions.append({f"predicted_{LABEL}": CLASSES[1] if q >= THRESHOLD else CLASSES[0],
                            f"predicted_{LABEL}_probs": [{"label": CLASSES[0], "prob": 1.0 - q},
                                                         {"label": CLASSES[1], "prob": q}]})
    return dumps({"model_name": MODEL, "model_version": "1", "predictions": predictions})


@app.post("/v2/models/{name}/infer")
async def v2_infer(name: str, request: Request):
    body, inputs, failed = await read_field(name, request, "inputs")
    if failed:
        return failed
    if len(inputs) != 1:
        return error(400, "send one [N, F] tensor in \"inputs\"")
    shape = inputs[0]["shape"]
    x = np.array(inputs[0]["data"], dtype=np.float32).reshape(shape[0], len(FEATURES))
    p = predict(x).tolist()
    probs = []
    for q in p:
        probs += [1.0 - q, q]
    answer = {"model_name": MODEL, "model_version": "1",
              "outputs": [{"name": "predict", "datatype": "BYTES", "shape": [len(p)],
                           "data": [CLASSES[1] if q >= THRESHOLD else CLASSES[0] for q in p]},
                          {"name": "predict_proba", "datatype": "FP64", "shape": [len(p), 2],
                           "parameters": {"classes": CLASSES}, "data": probs}]}
    if "id" in body:
        answer["id"] = body["id"]
    return dumps(answer)
