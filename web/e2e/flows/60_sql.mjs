// The SQL notebook: CREATE MODEL and ML.EVALUATE in two cells, results as a table with a
// chart; the notebook is saved, and is still there after a reload.
import { assert, ensureChurnTable, text } from "../model_support.mjs";

const CREATE = `CREATE OR REPLACE MODEL churn_sql_lr
OPTIONS(model_type='LOGISTIC_REG', input_label_cols=['churn']) AS
SELECT * FROM churn`;
const EVALUATE = "SELECT * FROM ML.EVALUATE(MODEL churn_sql_lr)";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  ensureChurnTable(ctx);
  await page.goto(`${baseUrl}/#/sql`);
  await page.locator("#cell-1").fill(CREATE);
  await page.locator("#nb-add").click();
  await page.locator("#cell-2").fill(EVALUATE);
  await page.locator("#nb-run-all").click();
  const second = page.locator("[data-cell='2'] .cell-output");
  await second.locator("table").waitFor({ timeout: 120_000 });
  assert((await page.locator("[data-cell='1'] .cell-output .message").count()) === 1, "CREATE MODEL reports a message");
  assert((await second.locator("th", { hasText: "roc_auc" }).count()) === 1, "ML.EVALUATE's columns are shown");
  assert((await second.locator("[data-testid=result-chart] canvas").count()) === 1, "the numeric result gets a chart");
  await ctx.screenshot("sql");

  await page.locator("#nb-name").fill("churn_e2e_notebook");
  await page.locator("#nb-save").click();
  await page.locator("#nb-status .ok").waitFor();
  await page.reload();
  await page.locator("#cell-2").waitFor();
  assert((await page.locator("#cell-1").inputValue()) === CREATE, "cell 1 was saved");
  assert((await page.locator("#cell-2").inputValue()) === EVALUATE, "cell 2 was saved");
  assert((await page.locator("#nb-name").inputValue()) === "churn_e2e_notebook", "the name is kept");
  assert((await text(page, "#nb-open option:checked")).startsWith("churn_e2e_notebook"), "the notebook is listed");
  await ctx.screenshot("sql-reloaded");
}
