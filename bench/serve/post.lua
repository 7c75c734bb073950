-- wrk script for bench/serve/run.py: POSTs the JSON body in the file named by $BODY on every
-- request, and prints one line "RESULT {json}" with the counts and latency percentiles
-- (microseconds) when the run ends, for run.py to read.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BODY"), "r"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "non2xx": %d, "latency_us": {"mean": %.1f, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
