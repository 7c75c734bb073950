"""Helpers shared by bench/train, bench/logistic and bench/imbalance: running a contender as
a child process with its peak RSS (os.wait4), machine information, the Strata binary, and
replacing one section of bench/RESULTS.md while keeping the others."""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
PYTHON = "/usr/bin/python3"


def find_strata(path=None):
    if path:
        return os.path.abspath(path)
    for build in ("build", "build-lead"):
        candidate = os.path.join(ROOT, build, "strata")
        if os.path.exists(candidate):
            return candidate
    sys.exit("strata not found: build it (ninja -C build) or pass --strata PATH")


def run_child(argv, env=None, check=True):
    """Runs argv; returns (wall seconds, peak RSS MiB, stdout text, stderr text, exit code)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env)
        out = proc.stdout.read()
        proc.stdout.close()
        # Reap the child ourselves: wait4 returns the rusage of exactly this process.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        err_text = err.read().decode(errors="replace")
    if check and proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(argv)}\n"
                 f"stdout: {out.decode(errors='replace')[-2000:]}\nstderr: {err_text[-3000:]}")
    return wall, usage.ru_maxrss / 1024.0, out.decode(errors="replace"), err_text, proc.returncode


# OMP_WAIT_POLICY for every child (None: leave the environment's). XGBoost (libgomp) runs
# many short parallel regions; with the default policy its threads spin at each barrier,
# and when other processes share the cores (builds on a 2-core machine) a descheduled
# thread makes every barrier wait for a whole time slice: 20k rows x 100 rounds took 11 s
# instead of 0.7 s. PASSIVE makes the timings mean something on a busy machine; it applies
# to every contender alike (Strata and xgboost-python load the same libxgboost).
OMP_WAIT_POLICY = None


def resolve_wait_policy(choice):
    """'auto': PASSIVE when the 1-minute load average is above 1.0, else unchanged."""
    global OMP_WAIT_POLICY
    if choice == "auto":
        OMP_WAIT_POLICY = "PASSIVE" if os.getloadavg()[0] > 1.0 else None
    elif choice in ("default", "", None):
        OMP_WAIT_POLICY = None
    else:
        OMP_WAIT_POLICY = choice.upper()
    return OMP_WAIT_POLICY


def child_env(threads):
    """Environment for every child: the same thread count for OpenMP/BLAS users."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    if OMP_WAIT_POLICY:
        env["OMP_WAIT_POLICY"] = OMP_WAIT_POLICY
    return env


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} CPUs (nproc), {model}{mem}, {platform.system()} "
            f"{platform.release()}")


def versions():
    """Versions of the Python peers (imported lazily; missing ones are skipped)."""
    out = []
    for name in ("pandas", "numpy", "sklearn", "xgboost", "imblearn"):
        try:
            module = __import__(name)
            out.append(f"{name} {module.__version__}")
        except ImportError:
            pass
    return ", ".join(out)


def update_results(section_title, section_text):
    """Replaces the section that starts with `section_title` (a "## ..." line), or appends it."""
    text = ""
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            text = f.read()
    if not text.strip():
        text = "# Benchmark results\n"
    lines = text.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == section_title), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section_text.rstrip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        new = lines[:start] + section_text.rstrip("\n").split("\n") + [""] + lines[end:]
        text = "\n".join(new).rstrip("\n") + "\n"
    with open(RESULTS, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------
# The 1M-row training file and the end-to-end contenders (bench/train, bench/logistic).

def strata_probs(path, positive="1"):
    """P(positive) per row, and the predicted label, from `strata predict --output FILE.csv
    --only-predictions` (BigQuery ML's predicted_<label>_probs: JSON [{label, prob}])."""
    import numpy as np
    import pandas as pd
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    col = next(c for c in df.columns if c.endswith("_probs"))
    label_col = col[: -len("_probs")]
    out = np.full(len(df), np.nan)
    for i, text in enumerate(df[col].to_numpy()):
        for item in json.loads(text):
            if str(item["label"]) == positive:
                out[i] = item["prob"]
                break
    return out, df[label_col].to_numpy()


def training_files(workdir, rows):
    """The generated training CSV (bench/train/generate.py) and a CSV of its evaluation rows."""
    os.makedirs(workdir, exist_ok=True)
    data = os.path.join(workdir, f"train_{rows}.csv")
    evalf = os.path.join(workdir, f"train_{rows}_eval.csv")
    if not os.path.exists(data):
        print(f"generating {data} ({rows} rows)...", file=sys.stderr)
        subprocess.run([PYTHON, os.path.join(HERE, "generate.py"), data, "--rows", str(rows)],
                       check=True)
    if not os.path.exists(evalf) or os.path.getmtime(evalf) < os.path.getmtime(data):
        # The evaluation rows, byte for byte as in the full file (is_eval is the last field).
        with open(data) as src, open(evalf + ".tmp", "w") as dst:
            dst.write(src.readline())
            for line in src:
                if line.rstrip("\n").endswith(",true"):
                    dst.write(line)
        os.replace(evalf + ".tmp", evalf)
    return data, evalf


def remove_workspace(ws):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(ws + suffix):
            os.remove(ws + suffix)


def run_strata(strata, data, evalf, workdir, threads, model_args, tag, route="file"):
    """Strata end to end in its own processes; returns {wall, steps, rss, probs, own
    (Strata's own metrics), process_wall}.

    route "file": `train --file DATA --split custom` (straight from the CSV) + `predict` the
    evaluation file. route "workspace": `collect` into a fresh workspace, `train TABLE`, then
    the same `predict`."""
    ws = os.path.join(workdir, f"{tag}.db")
    preds = os.path.join(workdir, f"{tag}_preds.csv")
    remove_workspace(ws)
    env = child_env(threads)
    steps = {}
    rss = 0.0
    if route == "workspace":
        argv = [strata, "-q", "-w", ws, "collect", data, "--as", "t", "--threads", str(threads)]
        wall, peak, _, _, _ = run_child(argv, env)
        steps["collect"], rss = wall, max(rss, peak)
        source = ["t"]
    elif route == "file":
        source = ["--file", data]
    else:
        raise ValueError(f"unknown route {route!r}")
    argv = [strata, "-q", "-w", ws, "train", *source, "--target", "label", *model_args,
            "--split", "custom", "-o", "data_split_col=is_eval", "--name", "m",
            "--threads", str(threads), "--format", "json"]
    wall, peak, out, _, _ = run_child(argv, env)
    steps["train"], rss = wall, max(rss, peak)
    own = {}
    try:
        doc = json.loads(out)
        own = dict(doc.get("metrics", {}))
        own["training_seconds"] = doc.get("lineage", {}).get("training_seconds")
    except json.JSONDecodeError:
        pass
    argv = [strata, "-q", "-w", ws, "predict", "m", "--file", evalf, "--output", preds,
            "--only-predictions"]
    wall, peak, _, _, _ = run_child(argv, env)
    steps["predict"], rss = wall, max(rss, peak)
    probs, _ = strata_probs(preds)
    return {"wall": sum(steps.values()), "steps": steps, "rss": rss, "probs": probs,
            "own": own, "process_wall": sum(steps.values())}


def run_peer(kind, data, workdir, threads, extra=()):
    """bench/train/peer.py KIND in a child; returns the same keys as run_strata."""
    import numpy as np
    out = os.path.join(workdir, f"{kind}_probs.npy")
    argv = [PYTHON, os.path.join(HERE, "peer.py"), kind, data, out, "--threads", str(threads),
            *extra]
    wall, peak, text, _, _ = run_child(argv, child_env(threads))
    info = json.loads(text.strip().splitlines()[-1])
    times = info["times"]
    return {"wall": times["total"], "steps": times, "rss": peak, "probs": np.load(out),
            "process_wall": wall, "info": info}
