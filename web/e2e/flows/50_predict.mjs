// The predict page: fill the form from a training row, predict (label, probabilities,
// contributions), see both curl commands; then batch prediction: upload a file, watch the
// job, download the predictions.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { assert, churnCsv, ensureModel, text } from "../model_support.mjs";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  const model = ensureModel(ctx);
  await page.goto(`${baseUrl}/#/models/${encodeURIComponent(model)}/predict`);
  await page.locator("#predict").waitFor();
  await page.locator("#fill-example").click();
  await page.waitForFunction(() => document.querySelector("#in-state")?.value !== "");
  await page.locator("#predict").click();
  await page.locator("[data-testid=predicted]").waitFor();
  const predicted = await text(page, "[data-testid=predicted]");
  assert(["yes", "no"].includes(predicted), `a churn label is predicted (got "${predicted}")`);
  const probs = await page.locator("[data-testid=probabilities] li").count();
  assert(probs === 2, `two class probabilities (got ${probs})`);
  const contributions = await page.locator("[data-testid=contributions] li").count();
  assert(contributions > 0, "feature contributions are shown");
  const v1 = await text(page, "#curl-v1");
  const v2 = await text(page, "#curl-v2");
  assert(v1.includes(":predict") && v1.includes('"instances"'), "a :predict curl command");
  assert(v2.includes("/infer") && v2.includes('"datatype"'), "a v2 /infer curl command");
  await ctx.screenshot("predict");

  // Batch: the first 25 rows of churn.csv in, a CSV of predictions out. It needs the
  // server's datasets routes (upload and download); a server without them is said so.
  const openapi = await page.evaluate(async () => (await fetch("/openapi.json")).json());
  if (!openapi.paths["/v1/datasets"]?.post || !openapi.paths["/v1/datasets/{name}:download"]) {
    (ctx.log ?? console.log)("50_predict: batch part not run: this server has no POST /v1/datasets or :download yet");
    return;
  }
  const lines = readFileSync(churnCsv, "utf8").trim().split("\n").slice(0, 26);
  const dir = mkdtempSync(path.join(os.tmpdir(), "strata-batch-"));
  const file = path.join(dir, "churn_batch.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  await page.locator("#batch-file").setInputFiles(file);
  await page.locator("#batch-run").click();
  await page.locator("#batch-download").waitFor({ timeout: 60_000 });
  assert((await text(page, "[data-testid=batch-state]")) === "succeeded", "the prediction job succeeded");
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#batch-download").click()]);
  const saved = path.join(dir, download.suggestedFilename());
  await download.saveAs(saved);
  const out = readFileSync(saved, "utf8").trim().split("\n");
  assert(out.length === 26, `25 predicted rows and a header (got ${out.length} lines)`);
  assert(out[0].includes("predicted_churn"), `the download has predicted_churn (header: ${out[0]})`);
  await ctx.screenshot("predict-batch");
}
