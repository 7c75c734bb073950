#!/usr/bin/python3
"""Prediction latency while training jobs run, under each `strata serve --job-nice` setting:
a timeline of short fixed-rate windows on `:predict`, and how the CPU was shared.

For each setting (alternating, --rounds times): a fresh server over the serving benchmark's
workspace (run.py's setup: spambase, the 100-round depth-6 model), one quiet window, then
--windows windows while run.py's TrainingLoop keeps a 300-round depth-8 training job running.
Each window prints p50/p99 from strata_fixed_rate (open loop, latency from each request's due
time), and from /proc/PID/task/*/schedstat the CPU (cores) the request threads (nice 0) and
the job threads used and the time they waited for a core (run-queue delay, cores).

    /usr/bin/python3 bench/serve/while_training.py [--strata build/strata] [--rate 8000]
        [--job-nice idle,10] [--rounds 2] [--windows 4] [--seconds 5]
"""
import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (bench/serve/run.py)


def thread_times(pid):
    """{tid: (group, cpu ns, run-queue wait ns)}; group names the policy and nice value."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                cpu, wait, _ = map(int, f.read().split())
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        nice, policy = int(fields[16]), int(fields[38])
        out[tid] = ("requests" if nice == 0 and policy == 0 else
                    "jobs(idle)" if policy == 5 else f"jobs(nice {nice})", cpu, wait)
    return out


def window(args, server, body, tag):
    before = thread_times(server.proc.pid)
    r = run.fixed_rate(args, server, "predict", body, args.rate, args.seconds)
    share = collections.defaultdict(lambda: [0.0, 0.0])
    for tid, (group, cpu, wait) in thread_times(server.proc.pid).items():
        _, cpu0, wait0 = before.get(tid, (group, 0, 0))
        share[group][0] += (cpu - cpu0) / (args.seconds * 1e9)
        share[group][1] += (wait - wait0) / (args.seconds * 1e9)
    lat = r["latency_ms"]
    cores = "  ".join(f"{g} cpu {c:.2f} wait {w:.2f}" for g, (c, w) in sorted(share.items()))
    print(f"{tag:<22} p50 {lat['p50']:8.2f} ms  p99 {lat['p99']:8.2f} ms  errors {r['errors']}  "
          f"{cores}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", default=None, help="the strata binary (default build/strata)")
    parser.add_argument("--fixed-rate", default=None, help="the strata_fixed_rate binary")
    parser.add_argument("--rate", type=float, default=8000, help="requests per second")
    parser.add_argument("--job-nice", default="idle,10", help="settings to compare, comma-separated")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--windows", type=int, default=4, help="windows while training, per round")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per window")
    parser.add_argument("--workdir", default="/tmp/strata_bench/while_training")
    args = parser.parse_args()
    args.strata = run.benchlib.find_strata(args.strata)
    args.fixed_rate = run.find_fixed_rate(args)
    args.sample, args.fixed_connections = 10, 8
    ws, _, _, bodies, _ = run.setup(args)
    for round_ in range(1, args.rounds + 1):
        for nice in args.job_nice.split(","):
            argv = [args.strata, "-q", "-w", ws, "serve", "--port", "{port}", "--job-nice", nice]
            server = run.Server("strata", argv, dict(os.environ),
                                os.path.join(args.workdir, "strata.log"))
            try:
                name = f"job-nice {nice}, round {round_}"
                window(args, server, bodies["predict"], f"{name}: warm-up")
                window(args, server, bodies["predict"], f"{name}: no job")
                loop = run.TrainingLoop(server.port)
                loop.start()
                for i in range(args.windows):
                    window(args, server, bodies["predict"], f"{name}: jobs {i + 1}")
                t = loop.finish()
                print(f"{name}: {t['jobs']} jobs ({t['states']})"
                      f"{', job loop error ' + t['error'] if t['error'] else ''}", flush=True)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
