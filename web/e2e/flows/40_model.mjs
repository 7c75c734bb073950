// The model page: metrics and the confusion matrix at the stored threshold; moving the
// threshold slider changes the matrix and precision live; Deploy points `production` at the
// version shown.
import { assert, ensureModel, text } from "../model_support.mjs";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  const model = ensureModel(ctx);
  await page.goto(`${baseUrl}/#/models/${encodeURIComponent(model)}`);
  await page.locator("[data-testid=confusion-matrix]").waitFor();
  assert((await page.locator("table >> text=roc_auc").count()) > 0, "the metrics table lists roc_auc");
  assert((await page.locator("canvas[aria-label^='ROC curve']").count()) === 1, "a ROC curve is drawn");
  const cell = (i, j) => text(page, `[data-testid=confusion-matrix] td[data-cell="${i}-${j}"]`);
  const storedTp = Number(await cell(1, 1));
  const storedFp = Number(await cell(0, 1));
  const storedPrecision = await text(page, "[data-testid=thr-precision]");
  await ctx.screenshot("model");

  // A low threshold predicts more rows positive: more false positives, other precision.
  await page.locator("#threshold").fill("0.05");
  await page.waitForFunction((fp) => Number(document.querySelector('[data-testid=confusion-matrix] td[data-cell="0-1"]').textContent) > fp, storedFp);
  assert(Number(await cell(1, 1)) >= storedTp, "true positives do not drop when the threshold drops");
  assert((await text(page, "[data-testid=thr-precision]")) !== storedPrecision, "precision follows the slider");
  assert((await text(page, "#threshold-value")) === "0.05", "the slider's value is shown");
  // The keyboard works too: Home moves to 0, where every row is predicted positive.
  await page.locator("#threshold").focus();
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector("#threshold-value").textContent === "0.00");
  assert((await cell(0, 0)) === "0" && (await cell(1, 0)) === "0", "at threshold 0 nothing is predicted negative");
  await ctx.screenshot("model-threshold");

  // Deploy: the production alias now names the version shown.
  await page.locator("#deploy").click();
  await page.locator("[data-alias=production]").waitFor();
  const alias = await text(page, "[data-alias=production]");
  const res = await page.evaluate(async (m) => (await fetch(`/v1/models/${encodeURIComponent(m)}/aliases`, { headers: sessionStorage.getItem("strata.token") ? { Authorization: `Bearer ${sessionStorage.getItem("strata.token")}` } : {} })).json(), model);
  const production = res.aliases.find((a) => a.alias === "production");
  assert(production && alias === `production → v${production.version}`, `production alias set (page says "${alias}")`);
  ctx.state.productionVersion = production.version;
  await ctx.screenshot("model-deployed");
}
