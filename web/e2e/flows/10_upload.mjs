// Datasets: an invalid file shows the server's error (naming where it went wrong); then the
// bundled churn data set is uploaded through the form with its progress bar, and its
// profile appears: histograms, top values, missing counts, the label's class balance with
// the imbalance warning and advice.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  await page.goto(`${baseUrl}/#/datasets`);
  await page.getByRole("heading", { name: "Datasets" }).waitFor();
  await page.getByText("No datasets yet").waitFor();

  // An invalid upload: a CSV whose third line has too few fields.
  await page.getByLabel("File").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from("a,b,c\n1,2,3\n4,5\n") });
  assert.equal(await page.getByLabel("Dataset name").inputValue(), "broken");
  await page.getByRole("button", { name: "Upload" }).click();
  const alert = page.locator("form.upload .error[role=alert]");
  await alert.waitFor();
  const message = await alert.textContent();
  assert.match(message, /INVALID_ARGUMENT/);
  assert.match(message, /line 3|:3/);
  await ctx.screenshot("datasets-invalid-upload");

  // The real data set.
  await page.getByLabel("File").setInputFiles(join(ctx.repoDir, "examples/data/churn.csv"));
  assert.equal(await page.getByLabel("Dataset name").inputValue(), "churn");
  assert.equal(await page.getByLabel("Format").inputValue(), "csv");
  await page.getByRole("button", { name: "Upload" }).click();
  await page.waitForURL(/#\/datasets\/churn$/);
  await page.getByRole("heading", { name: "Dataset churn" }).waitFor();
  await page.getByText("3,333 rows").first().waitFor();
  // A histogram per numeric column (a canvas), top values for the categorical ones.
  const numeric = page.locator('article.column-card[data-column="total_day_minutes"]');
  await numeric.locator("canvas").waitFor();
  await page.locator('article.column-card[data-column="state"] ul.bars li').first().waitFor();
  assert.ok((await page.locator("article.column-card canvas").count()) >= 10);
  assert.match(await numeric.textContent(), /Missing/);
  await ctx.screenshot("dataset-profile");

  // The label's class balance, the imbalance warning and the advice.
  await page.getByLabel("Label column").selectOption("churn");
  const balance = page.locator("section.class-balance");
  await balance.waitFor();
  assert.match(await balance.textContent(), /classification/);
  assert.match(await balance.textContent(), /Imbalanced: 'yes'/);
  assert.ok((await balance.locator(".warning li").count()) >= 1, "imbalance advice is listed");
  await ctx.screenshot("dataset-class-balance");

  // Narrow window: still usable (no horizontal page scroll).
  await page.setViewportSize({ width: 400, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 400px`);
  await ctx.screenshot("dataset-narrow");
  await page.setViewportSize({ width: 1280, height: 800 });
  ctx.state.dataset = "churn";
}
