#!/usr/bin/python3
"""Online prediction: `strata serve` against FastAPI + uvicorn + xgboost-python serving the
same trees, single-row requests on loopback, in one run.

Model: BOOSTED_TREE_CLASSIFIER, 100 rounds, depth 6, learning rate 0.3, no early stopping,
trained by Strata on spambase (/work/shared/datasets: 4,601 rows, 57 numeric features, so
the peer needs no preprocessing) and exported as XGBoost JSON for the peer (peer.py), which
answers the same two routes with the same JSON: TF-Serving `:predict` ({"instances": [row]})
and KServe v2 `/infer` (one [1, 57] FP64 tensor). Before any load, a sample of rows is sent
to both servers on both routes and the probabilities compared.

Measurements, one server under load at a time, everything on the same 2 cores:
  1. throughput at saturation: wrk -t2 -cC -dS (closed loop; post.lua), per server and route;
  2. latency at a fixed rate of half of Strata's peak on that route, for DURATION seconds,
     with strata_fixed_rate (open loop on one epoll thread, latency from each request's due
     time: wrk has no fixed-rate mode and Debian 12 has no wrk2); the peers at half of their
     own peak;
  3. the same fixed-rate run on `:predict` while training jobs (POST /v1/jobs) run on the
     server back to back for the whole run;
  4. the HTTP ceiling of this machine: the same wrk run against nginx (Debian's nginx-light,
     one worker per core, keep-alive, a fixed 200 response: no JSON, no model, no work),
     the most any HTTP/1.1 server on these cores answers with this load generator beside it
     (skipped when nginx is not installed, or with --no-ceiling);
  errors = non-2xx responses + socket errors (connect, read, write, timeout), in every run;
  server CPU time per request (utime + stime of the server's process tree over the run),
  which depends much less than throughput on what else the machine is doing.

    bench/serve/run.sh [--quick] [--strata build/strata] [--fixed-rate PATH]
        [--duration 60] [--saturation 20] [--connections 32] [--fixed-connections 8]
        [--peer-workers 1,2] [--strata-threads 0] [--workdir /tmp/strata_bench/serve]
        [--no-ceiling] [--no-results]

Writes bench/out/serve/results.json and results.md, and replaces the "## Online prediction"
section of bench/RESULTS.md (not with --quick or --no-results).
"""
import argparse
import csv
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench", "train"))
import benchlib  # noqa: E402

SECTION = "## Online prediction: strata serve vs FastAPI"
DATASETS = os.environ.get("STRATA_DATASETS", "/work/shared/datasets")
MODEL = "spam_gbt"
LABEL = "type"
V1 = f"/v1/models/{MODEL}:predict"
V2 = f"/v2/models/{MODEL}/infer"
ROUTES = {"predict": V1, "infer": V2}
TRAIN_JOB = {"type": "train", "model": "spam_retrain",
             "spec": {"source": "spam", "label": LABEL, "model_type": "BOOSTED_TREE_CLASSIFIER",
                      "options": {"max_iterations": 300, "max_tree_depth": 8,
                                  "early_stop": False}}}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, method, path, body=None, timeout=30):
    """(status, parsed JSON body) of one request on a fresh connection."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def tree_cpu_seconds(pid):
    """utime + stime of pid and all its descendants (uvicorn's workers are children)."""
    parents = {}
    times = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo.extend(c for c, parent in parents.items() if parent == p)
    return total


class Server:
    """A server process (strata serve or uvicorn) on a free port, stopped by stop()."""

    def __init__(self, name, argv, env, logfile, port=None):
        self.name = name
        self.port = port or free_port()
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log = open(logfile, "w")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                if http(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                sys.exit(f"{name} did not start: see {logfile}")
            time.sleep(0.2)

    def cpu(self):
        return tree_cpu_seconds(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wrk(args, server, route, body_file, seconds, quiet=False):
    """Throughput at saturation: wrk, closed loop."""
    env = dict(os.environ, BODY=body_file)
    cpu0 = server.cpu()
    out = subprocess.run(["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}",
                          f"-d{seconds}s", "-s", os.path.join(HERE, "post.lua"),
                          f"http://127.0.0.1:{server.port}{ROUTES[route]}"],
                         env=env, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu() - cpu0
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    r = json.loads(line[len("RESULT "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = (r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
                   + r["non2xx"])
    r["cpu_us_per_request"] = cpu * 1e6 / max(1, r["requests"])
    r["load_average"] = load_average()
    if quiet:
        return r
    log(f"  saturation {server.name} {route}: {r['rps']:.0f} req/s, p99 "
        f"{r['latency_us']['p99'] / 1000:.2f} ms (closed loop), {r['errors']} errors, "
        f"{r['cpu_us_per_request']:.0f} us CPU/request, load {r['load_average'][0]}")
    return r


def fixed_rate(args, server, route, body_file, rate, seconds):
    """Latency at a fixed request rate: strata_fixed_rate, open loop."""
    cpu0 = server.cpu()
    out = subprocess.run([args.fixed_rate, "--port", str(server.port), "--path", ROUTES[route],
                          "--body", body_file, "--rate", f"{rate:.1f}", "--duration",
                          str(seconds), "--connections", str(args.fixed_connections)],
                         capture_output=True, text=True, check=True).stdout
    cpu = server.cpu() - cpu0
    r = json.loads(out.strip().splitlines()[-1])
    r["errors"] = r["non2xx"] + r["socket_errors"]
    r["cpu_us_per_request"] = cpu * 1e6 / max(1, r["requests"])
    r["load_average"] = load_average()
    lat = r["latency_ms"]
    log(f"  fixed rate {server.name} {route} at {rate:.0f} req/s for {seconds} s: p50 "
        f"{lat['p50']:.3f} ms, p99 {lat['p99']:.3f} ms, {r['errors']} errors, "
        f"{r['cpu_us_per_request']:.0f} us CPU/request, load {r['load_average'][0]}")
    return r


class TrainingLoop(threading.Thread):
    """Keeps one training job running on the server (a new one as soon as one ends)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = threading.Event()
        self.jobs = []
        self.current = None
        self.error = None

    def run(self):
        try:
            while not self.stop_event.is_set():
                status, job = http(self.port, "POST", "/v1/jobs", TRAIN_JOB)
                if status != 202:
                    raise RuntimeError(f"POST /v1/jobs answered {status}: {job}")
                self.current = job["id"]
                while True:
                    status, job = http(self.port, "GET", f"/v1/jobs/{self.current}")
                    if job["state"] not in ("queued", "running"):
                        break
                    if self.stop_event.wait(0.25):
                        http(self.port, "POST", f"/v1/jobs/{self.current}:cancel")
                        break
                self.jobs.append(job)
        except Exception as e:  # reported, and the run marked as such
            self.error = repr(e)

    def finish(self):
        self.stop_event.set()
        self.join()
        # The last job was cancelled when the load ended: wait for its final state.
        for i, job in enumerate(self.jobs):
            for _ in range(100):
                if job["state"] not in ("queued", "running"):
                    break
                time.sleep(0.1)
                job = http(self.port, "GET", f"/v1/jobs/{job['id']}")[1]
            self.jobs[i] = job
        states = {}
        for job in self.jobs:
            states[job["state"]] = states.get(job["state"], 0) + 1
        return {"jobs": len(self.jobs), "states": states, "error": self.error}


def setup(args):
    """A fresh workspace with spambase, the model, its XGBoost JSON, the peer's metadata, the
    request bodies and the sample rows for the agreement check."""
    os.makedirs(args.workdir, exist_ok=True)
    ws = os.path.join(args.workdir, "serve.db")
    benchlib.remove_workspace(ws)
    data = os.path.join(DATASETS, "spambase.csv")

    def strata(*command):
        return benchlib.run_child([args.strata, "-q", "-w", ws, *command])[2]

    strata("collect", data, "--as", "spam")
    strata("train", "spam", "--target", LABEL, "--model", "BOOSTED_TREE_CLASSIFIER",
           "-o", "max_iterations=100", "-o", "max_tree_depth=6", "-o", "learn_rate=0.3",
           "-o", "early_stop=false", "--name", MODEL)
    model_json = os.path.join(args.workdir, "model.json")
    strata("models", "export", MODEL, model_json, "--xgboost-json")
    shown = json.loads(strata("models", "show", MODEL, "--format", "json"))
    features = [f["name"] for f in shown["input_schema"]]
    if any(f["type"] not in ("FLOAT64", "INT64") for f in shown["input_schema"]):
        sys.exit("the benchmark needs an all-numeric data set (the peer does no preprocessing)")
    meta = {"model": MODEL, "xgboost_json": model_json, "features": features,
            "classes": shown["classes"], "threshold": shown["threshold"], "label": LABEL}
    meta_file = os.path.join(args.workdir, "peer_meta.json")
    with open(meta_file, "w") as f:
        json.dump(meta, f)
    with open(data) as f:
        rows = [{c: float(r[c]) for c in features} for r in csv.DictReader(f)]
    bodies = {}
    for route in ROUTES:
        bodies[route] = os.path.join(args.workdir, f"{route}.json")
        with open(bodies[route], "w") as f:
            json.dump(v1_body(rows[0]) if route == "predict" else v2_body(rows[0], features), f)
    sample = rows[::max(1, len(rows) // args.sample)][:args.sample]
    return ws, meta, meta_file, bodies, sample


def v1_body(row):
    return {"instances": [row]}


def v2_body(row, features):
    return {"inputs": [{"name": "input__0", "shape": [1, len(features)], "datatype": "FP64",
                        "data": [[row[c] for c in features]]}]}


def agreement(servers, meta, sample):
    """Every server on both routes, one request per sample row: the largest difference of
    P(positive class) from Strata's :predict, and how many predicted labels differ."""
    positive = meta["classes"][1]
    answers = {}
    for server in servers:
        for route in ROUTES:
            probs, labels = [], []
            for row in sample:
                if route == "predict":
                    status, out = http(server.port, "POST", V1, v1_body(row))
                    p = out["predictions"][0]
                    probs.append(next(x["prob"] for x in p[f"predicted_{LABEL}_probs"]
                                      if x["label"] == positive))
                    labels.append(p[f"predicted_{LABEL}"])
                else:
                    status, out = http(server.port, "POST", V2, v2_body(row, meta["features"]))
                    tensors = {t["name"]: t for t in out["outputs"]}
                    probs.append(tensors["predict_proba"]["data"][1])
                    labels.append(tensors["predict"]["data"][0])
                if status != 200:
                    sys.exit(f"{server.name} {route} answered {status}: {out}")
            answers[(server.name, route)] = (probs, labels)
    ref_p, ref_l = answers[("strata", "predict")]
    out = {"rows": len(sample), "pairs": []}
    for (name, route), (probs, labels) in answers.items():
        out["pairs"].append({
            "server": name, "route": route,
            "max_abs_diff": max(abs(a - b) for a, b in zip(probs, ref_p)),
            "labels_differ": sum(a != b for a, b in zip(labels, ref_l))})
    out["max_abs_diff"] = max(p["max_abs_diff"] for p in out["pairs"])
    out["labels_differ"] = max(p["labels_differ"] for p in out["pairs"])
    log(f"agreement on {len(sample)} rows: largest |P| difference {out['max_abs_diff']:.3g}, "
        f"{out['labels_differ']} labels differ")
    return out


def find_fixed_rate(args):
    if args.fixed_rate:
        return os.path.abspath(args.fixed_rate)
    candidates = [os.path.join(os.path.dirname(args.strata), "bench", "strata_fixed_rate")]
    candidates += [os.path.join(ROOT, b, "bench", "strata_fixed_rate")
                   for b in ("build", "build-cc", "build-lead")]
    for c in candidates:
        if os.path.exists(c):
            return c
    sys.exit("strata_fixed_rate not found: build it (ninja -C build strata_fixed_rate) or pass "
             "--fixed-rate PATH")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short runs (5 s saturation, 10 s fixed rate) to check the setup")
    parser.add_argument("--strata", default=None, help="the strata binary (default build/strata)")
    parser.add_argument("--fixed-rate", default=None, help="the strata_fixed_rate binary")
    parser.add_argument("--workdir", default="/tmp/strata_bench/serve")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "serve"))
    parser.add_argument("--duration", type=int, default=60, help="fixed-rate seconds (Strata)")
    parser.add_argument("--peer-duration", type=int, default=20, help="fixed-rate seconds (peers)")
    parser.add_argument("--saturation", type=int, default=20, help="wrk seconds per run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--fixed-connections", type=int, default=8,
                        help="keep-alive connections of the fixed-rate client")
    parser.add_argument("--peer-workers", default="1,2", help="uvicorn worker counts to run")
    parser.add_argument("--strata-threads", type=int, default=0,
                        help="strata serve --threads (0: its default, max(8, cores))")
    parser.add_argument("--sample", type=int, default=200, help="rows for the agreement check")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip the nginx run that measures the HTTP ceiling")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.peer_duration, args.saturation, args.sample = 10, 5, 5, 50
    args.strata = benchlib.find_strata(args.strata)
    args.fixed_rate = find_fixed_rate(args)
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: scripts/bootstrap --bench installs it (Debian package wrk)")
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    load_start = load_average()
    log(f"strata {args.strata}; load average {load_start}")

    ws, meta, meta_file, bodies, sample = setup(args)
    strata_argv = [args.strata, "-q", "-w", ws, "serve", "--port", "{port}"]
    if args.strata_threads:
        strata_argv += ["--threads", str(args.strata_threads)]
    peer_env = dict(os.environ, STRATA_PEER_META=meta_file, OMP_NUM_THREADS="1")

    def start_peer(workers):
        argv = [benchlib.PYTHON, "-m", "uvicorn", "peer:app", "--app-dir", HERE, "--port",
                "{port}", "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
                "--no-access-log", "--log-level", "warning"]
        return Server(f"fastapi-{workers}w", argv, peer_env,
                      os.path.join(args.workdir, f"peer{workers}.log"))

    workers = [int(w) for w in args.peer_workers.split(",") if w]
    strata = Server("strata", strata_argv, dict(os.environ),
                    os.path.join(args.workdir, "strata.log"))
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": benchlib.machine(), "strata": args.strata,
               "settings": {k: v for k, v in vars(args).items()},
               "model": {"type": "BOOSTED_TREE_CLASSIFIER", "rounds": 100, "max_tree_depth": 6,
                         "data": "spambase", "features": len(meta["features"])},
               "saturation": {}, "fixed_rate": {}, "training": {}}
    peers = {}
    try:
        peers[workers[0]] = start_peer(workers[0])
        results["agreement"] = agreement([strata, peers[workers[0]]], meta, sample)
        # Warm-up (not recorded): both servers, both routes.
        for server in [strata, peers[workers[0]]]:
            for route in ROUTES:
                wrk(args, server, route, bodies[route], 2, quiet=True)

        log("saturation (wrk)")
        for route in ROUTES:
            results["saturation"][f"strata/{route}"] = wrk(args, strata, route, bodies[route],
                                                           args.saturation)
        for i, w in enumerate(workers):
            if w not in peers:
                peers[w] = start_peer(w)
                for route in ROUTES:
                    wrk(args, peers[w], route, bodies[route], 2, quiet=True)
            for route in ROUTES:
                results["saturation"][f"fastapi-{w}w/{route}"] = wrk(
                    args, peers[w], route, bodies[route], args.saturation)
            if i + 1 < len(workers):
                peers.pop(w).stop()

        log("fixed rate (strata_fixed_rate)")
        for route in ROUTES:
            rate = 0.5 * results["saturation"][f"strata/{route}"]["rps"]
            results["fixed_rate"][f"strata/{route}"] = fixed_rate(args, strata, route,
                                                                  bodies[route], rate, args.duration)
        for w in workers:
            if w not in peers:
                peers[w] = start_peer(w)
            for route in ROUTES:
                rate = 0.5 * results["saturation"][f"fastapi-{w}w/{route}"]["rps"]
                results["fixed_rate"][f"fastapi-{w}w/{route}"] = fixed_rate(
                    args, peers[w], route, bodies[route], rate, args.peer_duration)
            peers.pop(w).stop()

        log("fixed rate while training jobs run")
        rate = 0.5 * results["saturation"]["strata/predict"]["rps"]
        loop = TrainingLoop(strata.port)
        loop.start()
        time.sleep(0.5)
        r = fixed_rate(args, strata, "predict", bodies["predict"], rate, args.duration)
        r["training"] = loop.finish()
        results["training"]["strata/predict"] = r
        log(f"  training jobs during the run: {r['training']}")

        nginx = None if args.no_ceiling else shutil.which("nginx", path=NGINX_PATH)
        if nginx:
            log("HTTP ceiling (nginx, fixed response)")
            ceiling = start_nginx(args, nginx)
            try:
                wrk(args, ceiling, "predict", bodies["predict"], 2, quiet=True)
                results["ceiling"] = {"nginx/predict": wrk(args, ceiling, "predict",
                                                           bodies["predict"], args.saturation)}
                results["ceiling"]["nginx/predict"]["version"] = nginx_version(nginx)
            finally:
                ceiling.stop()
        elif not args.no_ceiling:
            log("HTTP ceiling skipped: nginx is not installed (scripts/bootstrap --bench)")
    finally:
        for p in peers.values():
            p.stop()
        strata.stop()
    results["load_average_start"] = load_start
    results["load_average_end"] = load_average()
    results["seconds"] = round(time.time() - started, 1)
    results["versions"] = versions()

    text = report(args, results)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    print(text)
    if args.quick or args.no_results:
        return
    benchlib.update_results(SECTION, f"{SECTION}\n\n{text}")
    log(f"updated {benchlib.RESULTS}")


NGINX_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def start_nginx(args, nginx):
    """nginx with one worker per core answering every request with a fixed 200: the HTTP
    ceiling of this machine under the same wrk load (nothing is parsed or computed)."""
    prefix = os.path.join(args.workdir, "nginx")
    for sub in ("", "tmp"):
        os.makedirs(os.path.join(prefix, sub), exist_ok=True)
    port = free_port()
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes {os.cpu_count()};
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  client_body_buffer_size 64k;
  client_body_temp_path {prefix}/tmp;
  server {{
    listen 127.0.0.1:{port};
    default_type application/json;
    location / {{ return 200 '{{"ok": true}}'; }}
  }}
}}
""")
    log_file = os.path.join(prefix, "nginx.log")  # its output and error log, for Server's error
    return Server("nginx", [nginx, "-p", prefix, "-c", conf, "-e", log_file], dict(os.environ),
                  log_file, port=port)


def nginx_version(nginx):
    proc = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    return (proc.stdout + proc.stderr).strip().replace("nginx version: ", "")


def versions():
    out = {}
    for cmd, key in ((["wrk", "-v"], "wrk"),):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        out[key] = " ".join((proc.stdout + proc.stderr).split()[:2])
    code = ("import fastapi, uvicorn, starlette, xgboost, uvloop, httptools, numpy; "
            "print(f'fastapi {fastapi.__version__}, starlette {starlette.__version__}, uvicorn "
            "{uvicorn.__version__} (uvloop {uvloop.__version__}, httptools "
            "{httptools.__version__}), xgboost {xgboost.__version__}, numpy {numpy.__version__}')")
    out["python"] = subprocess.run([benchlib.PYTHON, "-c", code], capture_output=True,
                                   text=True).stdout.strip()
    return out


def report(args, results):
    sat, fixed = results["saturation"], results["fixed_rate"]
    peer_names = sorted({k.split("/")[0] for k in sat if not k.startswith("strata/")})
    base = peer_names[0] if peer_names else None
    lines = ["| server | route | throughput at saturation, req/s | vs " + (base or "-") +
             " | server CPU per request, us | fixed rate, req/s | p50 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in ["strata"] + peer_names:
        for route in ROUTES:
            s = sat.get(f"{name}/{route}")
            f = fixed.get(f"{name}/{route}")
            if s is None:
                continue
            ratio = s["rps"] / sat[f"{base}/{route}"]["rps"] if base else 0
            lat = f["latency_ms"] if f else {}
            lines.append(
                f"| {name} | {ROUTES[route]} | {s['rps']:,.0f} | {ratio:.2f}x | "
                f"{s['cpu_us_per_request']:.0f} | {f['rate']:,.0f} | {lat['p50']:.3f} | "
                f"{lat['p99']:.3f} | {s['errors'] + f['errors']} |")
    t = results["training"].get("strata/predict")
    if t:
        lat = t["latency_ms"]
        lines.append(f"| strata, training jobs running | {V1} | - | - | "
                     f"{t['cpu_us_per_request']:.0f} | {t['rate']:,.0f} | {lat['p50']:.3f} | "
                     f"{lat['p99']:.3f} | {t['errors']} |")
    ceiling = results.get("ceiling", {}).get("nginx/predict")
    if ceiling and base:
        lines.append(f"| nginx (fixed 200 response, no work: the HTTP ceiling) | any | "
                     f"{ceiling['rps']:,.0f} | {ceiling['rps'] / sat[f'{base}/predict']['rps']:.2f}x"
                     f" | {ceiling['cpu_us_per_request']:.0f} | - | - | - | "
                     f"{ceiling['errors']} |")
    table = "\n".join(lines)

    verdicts = []
    for route in ROUTES:
        s = sat[f"strata/{route}"]
        if base:
            ratio = s["rps"] / sat[f"{base}/{route}"]["rps"]
            verdict = (f"{ROUTES[route]}: throughput {ratio:.2f}x {base}'s (target >= 20x) "
                       f"-> {'met' if ratio >= 20 else 'NOT met'}")
            need = 20 * sat[f"{base}/{route}"]["rps"]
            if ceiling and ratio < 20:
                verdict += (f"; 20x would be {need:,.0f} req/s, and nginx answering a fixed "
                            f"response with no work reaches {ceiling['rps']:,.0f} req/s on these "
                            f"cores ({ceiling['rps'] / need:.2f} of it): "
                            + ("out of reach for any server here" if ceiling["rps"] < need
                               else "within the HTTP ceiling"))
            verdicts.append(verdict)
        p99 = fixed[f"strata/{route}"]["latency_ms"]["p99"]
        verdicts.append(f"{ROUTES[route]}: p99 {p99:.3f} ms at {fixed[f'strata/{route}']['rate']:,.0f}"
                        f" req/s, half of Strata's peak (target < 2 ms) -> "
                        f"{'met' if p99 < 2 else 'NOT met'}")
    errors = sum(fixed[f"strata/{r}"]["errors"] for r in ROUTES)
    verdicts.append(f"errors over the {args.duration} s fixed-rate runs: {errors} (target 0) -> "
                    f"{'met' if errors == 0 else 'NOT met'}")
    if t:
        tr = t["training"]
        verdicts.append(
            f"errors over {args.duration} s while training jobs ran ({tr['jobs']} jobs: "
            f"{', '.join(f'{v} {k}' for k, v in sorted(tr['states'].items()))}"
            f"{'; job loop error ' + tr['error'] if tr['error'] else ''}): {t['errors']} "
            f"(target 0) -> {'met' if t['errors'] == 0 and not tr['error'] else 'NOT met'}")
    ceiling_text = ""
    if ceiling:
        ceiling_text = (f" HTTP ceiling: the same wrk run against {ceiling['version']} "
                        f"(one worker per core, keep-alive, every request answered with a fixed "
                        f"200 and nothing parsed or computed).")
    agree = results["agreement"]
    v = results["versions"]
    st = args.strata_threads or "default (max(8, cores))"
    binary = os.path.relpath(args.strata, ROOT) if args.strata.startswith(ROOT + "/") else args.strata
    text = f"""`bench/serve/run.py` on {results['date'][:10]}: {results['machine']}; load average \
{results['load_average_start']} at the start, {results['load_average_end']} at the end \
(1, 5, 15 min){' -- the machine was shared with other work, so absolute figures are noisy: '
               'compare within the run' if results['load_average_start'][0] > 1.0 else ''}. \
Run time {results['seconds']:.0f} s{', --quick' if args.quick else ''}.
Model: BOOSTED_TREE_CLASSIFIER, 100 rounds, depth 6, learning rate 0.3, no early stopping, \
trained by Strata on spambase ({results['model']['features']} numeric features; no \
preprocessing on either side) and exported as XGBoost JSON for the peer. One single-row \
request body per route (the first row): TF-Serving `{{"instances": [{{...57 named values}}]}}` \
and KServe v2 `{{"inputs": [{{"name": "input__0", "shape": [1, 57], "datatype": "FP64", ...}}]}}`; \
both servers answer the same JSON.
Same predictions: {agree['rows']} sample rows sent one by one to every server and route; \
largest |P(spam)| difference from Strata's `:predict` {agree['max_abs_diff']:.3g}, \
{agree['labels_differ']} predicted labels differ.
Strata: `strata serve` ({os.cpu_count()} event-loop threads answer the predictions; \
--threads {st} for the other routes), {binary}. Peer: FastAPI + uvicorn \
(--loop uvloop --http httptools, no access log; workers as named) + xgboost-python \
`inplace_predict` with one thread per worker, raw-body JSON (no pydantic model): \
{v.get('python', '?')}; /usr/bin/python3. Load: {v.get('wrk', 'wrk')} \
`-t{args.wrk_threads} -c{args.connections} -d{args.saturation}s` (closed loop) for throughput; \
`strata_fixed_rate` (bench/serve/fixed_rate.cc: open loop, one epoll thread like wrk2, \
{args.fixed_connections} keep-alive connections, latency from each request's due time, so queueing counts) at half \
of the server's own peak for latency: {args.duration} s for Strata, {args.peer_duration} s for \
the peers. Training: `POST /v1/jobs` train jobs (300 rounds, depth 8 on spambase, into another \
model) back to back during the whole run, at the server's default `--job-nice idle` (job \
threads under SCHED_IDLE, below the request threads). Servers, load generator and training share the \
same {os.cpu_count()} cores (no pinning); one server under load at a time.{ceiling_text} \
Errors: non-2xx \
plus socket errors, saturation and fixed-rate runs together. Server CPU per request: user + \
system time of the server's processes during the saturation run / requests (on a busy \
machine it varies between runs of the same binary; trust it on a quiet one).

{table}

Targets:
""" + "\n".join(f"- {x}" for x in verdicts) + f"""

Command: `bench/serve/run.sh{' --quick' if args.quick else ''} --strata {binary}` \
(raw figures: bench/out/serve/results.json).
"""
    return text


if __name__ == "__main__":
    main()
