// Train: the dataset and label are picked, the task is detected and shown, a model type's
// options come from its declarations (help and range shown, checked in the browser), the
// imbalance handling is chosen, and Train opens the job's page.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  await page.goto(`${baseUrl}/#/train?dataset=${ctx.state.dataset}&label=churn`);
  await page.getByRole("heading", { name: "Train a model" }).waitFor();
  await page.getByText("Task: classification").waitFor();
  assert.equal(await page.getByLabel("Label column").inputValue(), "churn");

  await page.getByLabel("A model type with its options").check();
  await page.getByLabel("Model type").selectOption("BOOSTED_TREE_CLASSIFIER");
  const iterations = page.getByLabel("max_iterations", { exact: true });
  await iterations.waitFor();
  // The help line says the declared range; an out-of-range value is refused before sending.
  const helpId = await iterations.getAttribute("aria-describedby");
  assert.match(await page.locator(`#${helpId}`).textContent(), /whole number in \[1,/);
  await iterations.fill("0");
  await page.getByRole("button", { name: "Train" }).click();
  const alert = page.locator(".train-form .error[role=alert]");
  await alert.waitFor();
  assert.match(await alert.textContent(), /max_iterations: 0 is too small/);
  await iterations.fill("20");

  // Imbalance handling: any combination; here class weights and SMOTE.
  await page.getByLabel("Choose: any combination").check();
  await page.getByLabel("Class weights", { exact: true }).check();
  await page.getByLabel("Upsample the minority class").selectOption("SMOTE");
  await page.getByLabel("Model name").fill("churn_e2e");
  await ctx.screenshot("train-form");
  await page.getByRole("button", { name: "Train" }).click();
  await page.waitForURL(/#\/jobs\/job_/);
  ctx.state.jobId = decodeURIComponent(page.url().split("#/jobs/")[1]);
  ctx.state.model = "churn_e2e";

  // The job carries the spec the form built.
  const job = await page.evaluate(async (id) => (await fetch(`/v1/jobs/${id}`)).json(), ctx.state.jobId);
  assert.equal(job.request.spec.model_type, "BOOSTED_TREE_CLASSIFIER");
  assert.equal(job.request.spec.options.max_iterations, 20);
  assert.equal(job.request.spec.balance.auto_class_weights, true);
  assert.equal(job.request.spec.balance.upsample, "SMOTE");
}
