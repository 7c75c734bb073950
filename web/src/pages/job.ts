// One job, live: state, a percent bar, the step, the best metric so far and the leaderboard
// filling in (AutoML), the logs, Cancel, and a link to the model once it succeeded. Updates
// come from the job's Server-Sent Events, or from polling when the stream is unavailable.
import { api, ApiError } from "../api";
import { h, replace } from "../dom";
import { formatDuration } from "../lib/format";
import { bestText, isFinished, Job, jobErrorText, jobPercent, leaderboard, stepText } from "../lib/progress";
import { LogBuffer } from "../lib/logs";
import { readEvents } from "../lib/sse";
import { Page } from "../router";
import { dataTable, showAlert } from "../ui";

export const jobPage: Page = async (root, params) => {
  const id = params.id;
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  const state = h("span", { class: "state" });
  const bar = h("progress", { max: 100, value: 0, "aria-label": "Job progress" });
  const percent = h("span", { class: "percent" });
  const step = h("p", { class: "step", role: "status", "aria-live": "polite" });
  const best = h("p", { class: "best" });
  const board = h("div", { class: "leaderboard" });
  const result = h("div", {});
  const errors = h("div", {});
  const logs = h("pre", { class: "logs", tabindex: "0", "aria-label": "Job log" });
  const logNote = h("p", { class: "muted" });
  const cancel = h("button", { type: "button", class: "danger" }, "Cancel job");
  replace(
    root,
    h("h1", {}, "Job ", h("code", {}, id)),
    h("section", { class: "card" }, h("p", {}, "State: ", state), h("div", { class: "progress-row" }, bar, percent), step, best, errors, result, h("div", { class: "actions" }, cancel)),
    h("section", { class: "card" }, h("h2", {}, "Leaderboard"), board),
    h("section", { class: "card" }, h("h2", {}, "Log"), logNote, logs),
  );

  const logBuffer = new LogBuffer();
  const addLog = (entry: unknown) => {
    if (!logBuffer.add(entry)) return;
    logNote.textContent = "";
    logs.textContent = logBuffer.lines.join("\n");
    logs.scrollTop = logs.scrollHeight;
  };
  // Servers with job logs answer GET /v1/jobs/{id}/logs?after=SEQ ({"logs": [...]}); the page
  // says so instead of failing where there are none.
  let noLogs = false;
  const fetchLogs = async () => {
    if (noLogs) return;
    try {
      const body = await api<unknown>(`${path}/logs?after=${logBuffer.lastSeq}`);
      const lines = Array.isArray(body) ? body : ((body as { logs?: unknown[] })?.logs ?? (typeof body === "string" ? body.split("\n").filter(Boolean) : []));
      for (const l of lines) addLog(l);
      if (logBuffer.lines.length === 0) logNote.textContent = "No log lines yet.";
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        noLogs = true;
        if (logBuffer.lines.length === 0) logNote.textContent = "This server keeps no job logs; progress is shown above.";
      } else {
        logNote.textContent = `Logs unavailable: ${(e as Error).message}`;
      }
    }
  };

  const show = (job: Job) => {
    state.textContent = job.state;
    state.className = `state state-${job.state}`;
    const p = jobPercent(job);
    bar.value = p;
    percent.textContent = `${p.toFixed(0)}%`;
    step.textContent = stepText(job);
    const b = bestText(job);
    best.textContent = b ? `Best so far: ${b}` : "";
    const rows = leaderboard(job);
    replace(
      board,
      rows.length
        ? dataTable("Leaderboard", ["#", "Configuration", "Model type", "Score", "± std", "Fit time"], rows.map((r, i) => [i + 1, r.name, r.model_type, r.score, r.score_std ?? null, r.fit_seconds !== undefined ? formatDuration(r.fit_seconds) : ""]))
        : h("p", { class: "muted" }, job.type === "automl" ? "Configurations appear here as AutoML tries them." : "A single model type: no leaderboard."),
    );
    cancel.hidden = isFinished(job);
    const err = jobErrorText(job);
    if (err) showAlert(errors, new ApiError(0, job.state.toUpperCase(), err));
    if (job.state === "succeeded" && job.result) {
      const r = job.result as { model?: string; version?: number; metrics?: Record<string, unknown>; output_table?: string };
      const metrics = r.metrics && typeof r.metrics === "object" ? Object.entries(r.metrics).filter(([, v]) => typeof v === "number") : [];
      replace(
        result,
        h(
          "div",
          { class: "done" },
          h("p", {}, "Done: ", r.model ? h("a", { href: `#/models/${encodeURIComponent(r.model)}` }, `model ${r.model}`) : null, r.version !== undefined ? ` version ${r.version}` : "", r.output_table ? ` → table ${r.output_table}` : ""),
          metrics.length ? dataTable("Evaluation metrics", ["Metric", "Value"], metrics.map(([k, v]) => [k, v as number])) : null,
        ),
      );
    }
  };

  const job = await api<Job>(path);
  show(job);

  await fetchLogs();

  const controller = new AbortController();
  let poll: number | undefined;
  const startPolling = () => {
    const tick = async () => {
      try {
        const j = await api<Job>(path);
        show(j);
        await fetchLogs();
        if (isFinished(j)) return;
      } catch (e) {
        showAlert(errors, e);
      }
      poll = window.setTimeout(tick, 1000);
    };
    poll = window.setTimeout(tick, 500);
  };

  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try {
      await api(`${path}:cancel`, { method: "POST" });
      show(await api<Job>(path));
    } catch (e) {
      showAlert(errors, e);
    } finally {
      cancel.disabled = false;
    }
  });

  if (!isFinished(job)) {
    let finished = false;
    readEvents(
      `${path}/events`,
      (ev) => {
        if (ev.event === "log") {
          addLog(ev.data);
          return;
        }
        if (ev.event !== "progress" && ev.event !== "done") return;
        try {
          const j = JSON.parse(ev.data) as Job;
          show(j);
          if (ev.event === "done" || isFinished(j)) finished = true;
        } catch {
          // a malformed event: the next one or polling will catch up
        }
      },
      controller.signal,
    ).then(
      () => {
        if (!finished && !controller.signal.aborted) startPolling();
      },
      () => {
        if (!controller.signal.aborted) startPolling();
      },
    );
  }
  return () => {
    controller.abort();
    window.clearTimeout(poll);
  };
};
