// Shared by the model, predict and SQL flows: the model they work on. Earlier flows
// (upload, train) leave its name in ctx.state.model; run alone, these flows make one with
// the strata CLI on the server's workspace (the churn table and a boosted-tree model).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const churnCsv = path.join(repoRoot, "examples/data/churn.csv");

function strata(ctx, ...args) {
  return execFileSync(ctx.strataBin, ["--workspace", ctx.workspace, "--quiet", ...args], { encoding: "utf8" });
}

// Imports examples/data/churn.csv as table "churn" unless the workspace has it.
export function ensureChurnTable(ctx) {
  if (ctx.state.churnTable) return ctx.state.churnTable;
  const tables = strata(ctx, "tables", "--format", "json");
  if (!/"table":\s*"churn"/.test(tables)) strata(ctx, "collect", churnCsv, "--as", "churn");
  ctx.state.churnTable = "churn";
  return "churn";
}

// The name of a binary classifier of churn in the workspace.
export function ensureModel(ctx) {
  if (ctx.state.model) return ctx.state.model;
  ensureChurnTable(ctx);
  strata(ctx, "train", "churn", "--target", "churn", "--model", "BOOSTED_TREE_CLASSIFIER", "--name", "churn_e2e", "-o", "max_iterations=30");
  ctx.state.model = "churn_e2e";
  return ctx.state.model;
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

// The text of the first element matching `selector`, trimmed.
export async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) ?? "").trim();
}
