// A job's progress as the Job page shows it, from GET /v1/jobs/{id} (docs/server.md): the
// percent, the step in words, the best metric so far and the leaderboard.
import { formatDuration, formatNumber } from "./format";

export interface LeaderboardEntry {
  name: string;
  model_type: string;
  score: number | null;
  score_std?: number | null;
  fit_seconds?: number;
  status?: string;
  weight?: number;
}

export interface JobProgress {
  stage?: string;
  done?: number;
  total?: number;
  percent?: number;
  elapsed_seconds?: number;
  budget_seconds?: number;
  metric?: string;
  best?: { name: string; score: number } | null;
  step?: string; // "boosting round 40/100", "configuration 5" (servers that send it)
  best_metric?: { name: string; value: number; trial_id?: number } | null;
  leaderboard?: LeaderboardEntry[];
}

export interface Job {
  id: string;
  type: string;
  state: string;
  model: string;
  request?: Record<string, unknown> | null;
  progress?: JobProgress | null;
  result?: Record<string, unknown> | null;
  error?: unknown;
  created_at?: string;
  started_at?: string;
  finished_at?: string;
}

export const finishedStates = ["succeeded", "failed", "cancelled", "interrupted"];

export function isFinished(job: Job): boolean {
  return finishedStates.includes(job.state);
}

// 0..100: the job's own percent, else done/total, else 100 once it succeeded.
export function jobPercent(job: Job): number {
  if (job.state === "succeeded") return 100;
  const p = job.progress ?? {};
  let percent = p.percent;
  if (percent === undefined && p.total && p.total > 0 && p.done !== undefined) percent = (100 * p.done) / p.total;
  if (percent === undefined || !Number.isFinite(percent)) return 0;
  return Math.max(0, Math.min(100, percent));
}

// "training: 30 / 50" / "automl: 12 configurations, 40 s of 60 s" / "queued".
export function stepText(job: Job): string {
  const p = job.progress;
  if (!p || !p.stage) return job.state;
  if (p.step && p.stage !== "automl") return `${p.stage}: ${p.step}`;
  if (p.stage === "automl") {
    const parts = [`${p.done ?? 0} configuration${p.done === 1 ? "" : "s"} tried`];
    if (p.elapsed_seconds !== undefined && p.budget_seconds !== undefined) {
      parts.push(`${formatDuration(p.elapsed_seconds)} of ${formatDuration(p.budget_seconds)}`);
    }
    return `AutoML: ${parts.join(", ")}`;
  }
  if (p.total && p.total > 0) return `${p.stage}: ${p.done ?? 0} / ${p.total}`;
  return p.stage;
}

// "roc_auc 0.912 (BOOSTED_TREE_CLASSIFIER #3)", or null when there is none yet.
export function bestText(job: Job): string | null {
  const p = job.progress;
  if (p?.best && p.best.score !== null && p.best.score !== undefined) {
    return `${p.metric ?? "score"} ${formatNumber(p.best.score)} (${p.best.name})`;
  }
  if (p?.best_metric && typeof p.best_metric.value === "number") {
    return `${p.best_metric.name} ${formatNumber(p.best_metric.value)}${p.best_metric.trial_id !== undefined ? ` (trial ${p.best_metric.trial_id})` : ""}`;
  }
  const r = job.result as { metric?: string; score?: number } | null | undefined;
  if (r && r.metric && typeof r.score === "number") return `${r.metric} ${formatNumber(r.score)}`;
  return null;
}

// The leaderboard so far, best first (the result's, once finished; else the progress').
// `higherIsBetter` follows the metric (losses and errors are lower-better).
export function leaderboard(job: Job): LeaderboardEntry[] {
  const fromResult = (job.result as { leaderboard?: LeaderboardEntry[] } | null | undefined)?.leaderboard;
  const rows = [...(fromResult ?? job.progress?.leaderboard ?? [])];
  const metric = job.progress?.metric ?? (job.result as { metric?: string } | null)?.metric ?? "";
  const lower = /loss|error|rmse|mae|rmsle|mse/i.test(metric);
  rows.sort((a, b) => {
    const x = a.score ?? (lower ? Infinity : -Infinity);
    const y = b.score ?? (lower ? Infinity : -Infinity);
    return lower ? x - y : y - x;
  });
  return rows;
}

// The error of a failed job as text (the server stores a message or an error object).
export function jobErrorText(job: Job): string | null {
  const e = job.error as unknown;
  if (!e) return null;
  if (typeof e === "string") return e;
  const obj = e as { message?: string; code?: string };
  return obj.message ? (obj.code ? `${obj.code}: ${obj.message}` : obj.message) : JSON.stringify(e);
}
