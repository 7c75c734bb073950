import { describe, expect, it } from "vitest";
import { bestText, isFinished, Job, jobErrorText, jobPercent, leaderboard, stepText } from "../src/lib/progress";
import { logLine } from "../src/lib/logs";

const base: Job = { id: "job_1", type: "train", state: "running", model: "m" };

describe("job progress", () => {
  it("percent from the job, from done/total, or 100 when done", () => {
    expect(jobPercent({ ...base, progress: { stage: "training", done: 30, total: 50 } })).toBe(60);
    expect(jobPercent({ ...base, progress: { stage: "automl", percent: 140 } })).toBe(100);
    expect(jobPercent({ ...base, state: "queued", progress: null })).toBe(0);
    expect(jobPercent({ ...base, state: "succeeded", progress: { stage: "training", done: 1, total: 50 } })).toBe(100);
  });
  it("the step in words", () => {
    expect(stepText({ ...base, progress: { stage: "training", done: 30, total: 50 } })).toBe("training: 30 / 50");
    expect(stepText({ ...base, state: "queued" })).toBe("queued");
    expect(stepText({ ...base, progress: { stage: "automl", done: 4, elapsed_seconds: 12, budget_seconds: 60 } })).toBe("AutoML: 4 configurations tried, 12 s of 1 min 0 s");
  });
  it("the best so far and the leaderboard, best first", () => {
    const job: Job = {
      ...base,
      type: "automl",
      progress: {
        stage: "automl", metric: "roc_auc", best: { name: "xgb_2", score: 0.91234 },
        leaderboard: [{ name: "lr_1", model_type: "LOGISTIC_REG", score: 0.8 }, { name: "xgb_2", model_type: "BOOSTED_TREE_CLASSIFIER", score: 0.91234 }, { name: "bad", model_type: "DNN", score: null }],
      },
    };
    expect(bestText(job)).toBe("roc_auc 0.9123 (xgb_2)");
    expect(leaderboard(job).map((r) => r.name)).toEqual(["xgb_2", "lr_1", "bad"]);
    const loss: Job = { ...job, progress: { ...job.progress, metric: "log_loss", leaderboard: [{ name: "a", model_type: "X", score: 0.5 }, { name: "b", model_type: "X", score: 0.3 }] } };
    expect(leaderboard(loss).map((r) => r.name)).toEqual(["b", "a"]);
    expect(bestText({ ...base })).toBeNull();
  });
  it("finished states and errors", () => {
    expect(isFinished({ ...base, state: "cancelled" })).toBe(true);
    expect(isFinished(base)).toBe(false);
    expect(jobErrorText({ ...base, state: "failed", error: "no column 'churn'" })).toBe("no column 'churn'");
    expect(jobErrorText(base)).toBeNull();
  });
  it("log lines from text or JSON", () => {
    expect(logLine("plain text")).toBe("plain text");
    expect(logLine('{"time":"12:00:01","level":"info","message":"fold 1 done"}')).toBe("12:00:01 INFO fold 1 done");
    expect(logLine({ message: "x" })).toBe("x");
    expect(logLine("{not json")).toBe("{not json");
  });
});

describe("job logs and the jobs API's step and best_metric", () => {
  it("keeps each log line once, in order, from /logs and the events alike", async () => {
    const { LogBuffer } = await import("../src/lib/logs");
    const b = new LogBuffer();
    expect(b.add({ seq: 1, time: "14:00:00.001", level: "info", message: "queued" })).toBe(true);
    expect(b.add('{"seq": 2, "time": "14:00:00.002", "level": "info", "message": "started"}')).toBe(true);
    expect(b.add('{"seq": 1, "message": "queued"}')).toBe(false);
    expect(b.add("a line without seq")).toBe(true);
    expect(b.lines).toEqual(["14:00:00.001 INFO queued", "14:00:00.002 INFO started", "a line without seq"]);
    expect(b.lastSeq).toBe(2);
  });
  it("prefers the server's step and best_metric", () => {
    const job: Job = { ...base, progress: { stage: "training", done: 40, total: 100, step: "boosting round 40/100", best_metric: { name: "eval_loss", value: 0.4412 } } };
    expect(stepText(job)).toBe("training: boosting round 40/100");
    expect(bestText(job)).toBe("eval_loss 0.4412");
  });
});
