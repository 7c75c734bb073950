// The job page: live progress until the job succeeds, then its metrics and a link to the
// model; the jobs list shows it.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  if (!page.url().includes(`#/jobs/${ctx.state.jobId}`)) await page.goto(`${baseUrl}/#/jobs/${ctx.state.jobId}`);
  await page.getByRole("heading", { name: /^Job / }).waitFor();
  await ctx.screenshot("job-running");
  await page.locator(".state.state-succeeded").waitFor({ timeout: 90000 });
  assert.equal(await page.getByLabel("Job progress").getAttribute("value"), "100");
  const link = page.getByRole("link", { name: `model ${ctx.state.model}` });
  await link.waitFor();
  assert.equal(await link.getAttribute("href"), `#/models/${ctx.state.model}`);
  assert.ok((await page.getByRole("region", { name: "Evaluation metrics" }).locator("tbody tr").count()) > 3);
  assert.ok(await page.getByRole("button", { name: "Cancel job" }).isHidden());
  await ctx.screenshot("job-succeeded");

  await page.goto(`${baseUrl}/#/jobs`);
  const row = page.locator("tbody tr", { hasText: ctx.state.jobId });
  await row.waitFor();
  assert.match(await row.textContent(), /succeeded/);
  await ctx.screenshot("jobs");
}
