#!/bin/sh
# The serving benchmark (strata serve vs FastAPI + uvicorn + xgboost under wrk); see run.py.
#   bench/serve/run.sh [--quick] [--strata PATH] [...]   (run.py --help lists every option)
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"
