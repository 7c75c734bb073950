// AutoML through the form with a time budget: the job page shows the percent, the best
// metric so far and the leaderboard filling in; Cancel stops it early (AutoML keeps the best
// model found so far, so the job ends succeeded with stopped_early, or cancelled).
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  await page.goto(`${baseUrl}/#/train?dataset=${ctx.state.dataset}&label=churn`);
  await page.getByText("Task: classification").waitFor();
  await page.getByLabel("AutoML: try model types").check();
  await page.getByLabel("Time budget (seconds)").fill("120");
  await page.getByLabel("Model name").fill("churn_automl_e2e");
  await page.getByRole("button", { name: "Train" }).click();
  await page.waitForURL(/#\/jobs\/job_/);

  // The leaderboard fills in while it runs, with the best score so far.
  await page.getByRole("region", { name: "Leaderboard" }).locator("tbody tr").first().waitFor({ timeout: 60000 });
  await page.getByText(/^Best so far: /).waitFor();
  assert.match(await page.locator(".step").textContent(), /AutoML: \d+ configurations? tried/);
  await ctx.screenshot("job-automl-running");

  await page.getByRole("button", { name: "Cancel job" }).click();
  await page.locator(".state.state-succeeded, .state.state-cancelled").waitFor({ timeout: 60000 });
  const id = decodeURIComponent(page.url().split("#/jobs/")[1]);
  const job = await page.evaluate(async (jobId) => (await fetch(`/v1/jobs/${jobId}`)).json(), id);
  assert.ok(job.state === "cancelled" || job.result?.stopped_early === true, `cancel had no effect: ${JSON.stringify(job).slice(0, 300)}`);
  assert.ok(await page.getByRole("button", { name: "Cancel job" }).isHidden());
  await ctx.screenshot("job-automl-cancelled");
}
