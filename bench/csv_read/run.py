#!/usr/bin/python3
"""CSV read throughput: strata::ReadCsv against pandas.read_csv and sqlite3 .import.

Reads one generated file (1M rows x 22 columns by default; see generate.py) with each
tool, in child processes, several times in interleaved order; reports the median read time,
MB/s, the ratio to pandas, and the peak RSS of each child (os.wait4's ru_maxrss). Prints a
Markdown table and replaces the "## CSV read throughput" section of bench/RESULTS.md.

    /usr/bin/python3 bench/csv_read/run.py [--strata build/bench/strata_read_csv]
        [--file /tmp/strata_bench/csv_read.csv] [--rows 1000000] [--repeat 3] [--cpus 0,1]

Read time: strata_read_csv and the pandas child time the read itself (so the Python and
pandas import is not charged to pandas); sqlite3 is timed from start to exit.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
SECTION = "## CSV read throughput"

PANDAS_CHILD = (
    "import sys, time\n"
    "import pandas as pd\n"
    "t = time.perf_counter()\n"
    "df = pd.read_csv(sys.argv[1])\n"
    "s = time.perf_counter() - t\n"
    "print(f'rows={len(df)} columns={len(df.columns)} seconds={s:.4f}')\n"
)


def find_strata():
    for build in ("build", "build-csv"):
        path = os.path.join(ROOT, build, "bench", "strata_read_csv")
        if os.path.exists(path):
            return path
    sys.exit("strata_read_csv not found: build it (ninja -C build strata_read_csv) or pass --strata")


def run_child(argv, cpus):
    """Runs argv; returns (wall seconds, peak RSS MiB, stdout)."""
    preexec = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, preexec_fn=preexec)
        out = proc.stdout.read()
        proc.stdout.close()
        # Reap the child ourselves: wait4 returns the rusage of exactly this process.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{argv[0]} failed ({proc.returncode}): "
                     f"{err.read().decode(errors='replace')[:2000]}")
    return wall, usage.ru_maxrss / 1024.0, out.decode()


def child_seconds(out):
    m = re.search(r"seconds=([0-9.]+)", out)
    return float(m.group(1)) if m else None


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
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def update_results(section_text):
    text = ""
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            text = f.read()
    if not text.strip():
        text = "# Benchmark results\n"
    lines = text.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == SECTION), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section_text.rstrip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        new = lines[:start] + section_text.rstrip("\n").split("\n") + [""] + lines[end:]
        text = "\n".join(new).rstrip("\n") + "\n"
    with open(RESULTS, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None, help="path of strata_read_csv")
    parser.add_argument("--file", default="/tmp/strata_bench/csv_read.csv")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpus", default="", help="pin every child to these CPUs, e.g. 0,1")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    strata = args.strata or find_strata()
    cpus = {int(c) for c in args.cpus.split(",")} if args.cpus else None

    if not os.path.exists(args.file):
        os.makedirs(os.path.dirname(args.file) or ".", exist_ok=True)
        print(f"generating {args.file} ({args.rows} rows)...", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), args.file,
                        "--rows", str(args.rows)], check=True)
    size_mb = os.path.getsize(args.file) / 1e6

    tools = [
        ("strata ReadCsv", "2", [strata, args.file, "--threads", "2"]),
        ("strata ReadCsv", "1", [strata, args.file, "--threads", "1"]),
        ("pandas.read_csv", "1", ["/usr/bin/python3", "-c", PANDAS_CHILD, args.file]),
        ("sqlite3 .import --csv", "1",
         ["sqlite3", ":memory:", f".import --csv {args.file} t"]),
    ]
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    # Warm the page cache so that every tool reads from memory.
    with open(args.file, "rb") as f:
        while f.read(1 << 24):
            pass
    times = {i: [] for i in range(len(tools))}
    rss = {i: 0.0 for i in range(len(tools))}
    for _ in range(args.repeat):
        for i, (_, _, argv) in enumerate(tools):
            wall, peak, out = run_child(argv, cpus)
            seconds = child_seconds(out)
            times[i].append(seconds if seconds is not None else wall)
            rss[i] = max(rss[i], peak)

    pandas_time = statistics.median(times[2])
    pandas_rss = rss[2]
    rows = []
    for i, (name, threads, _) in enumerate(tools):
        t = statistics.median(times[i])
        rows.append(f"| {name} | {threads} | {t:.3f} | {size_mb / t:.0f} | "
                    f"{pandas_time / t:.2f}x | {rss[i]:.0f} |")
    table = ("| reader | threads | read s (median) | MB/s | vs pandas | peak RSS MiB |\n"
             "|---|---|---|---|---|---|\n" + "\n".join(rows))
    print(table)

    strata2 = statistics.median(times[0])
    verdict = (f"Targets (2 threads: >= 3x pandas' throughput, peak RSS <= pandas'): "
               f"{pandas_time / strata2:.2f}x, {rss[0]:.0f} vs {pandas_rss:.0f} MiB -> "
               f"{'met' if pandas_time / strata2 >= 3 and rss[0] <= pandas_rss else 'NOT met'}.")
    print(verdict)
    if args.no_results:
        return
    pinned = f", children pinned to CPUs {args.cpus}" if args.cpus else ""
    section = (
        f"{SECTION}\n\n"
        f"`bench/csv_read/run.py` on {datetime.date.today().isoformat()}: {machine()}{pinned}; "
        f"load average {load:.2f} at the start.\n"
        f"File: {args.rows:,} rows x 22 columns (18 FLOAT64, 3 INT64, 1 categorical STRING; "
        f"`generate.py`), {size_mb:.1f} MB, in the page cache. Median of {args.repeat} runs; "
        f"peak RSS is the child process's maximum resident set (os.wait4; pandas' includes "
        f"the Python interpreter and the pandas import).\n\n"
        f"{table}\n\n{verdict}\n")
    update_results(section)
    print(f"updated {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
