// With `strata serve --auth`: the console asks for a token when the API answers 401, a wrong
// token is refused with the server's message, and the right one is kept for the session.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page, baseUrl } = ctx;
  await page.goto(`${baseUrl}/#/jobs`);
  const dialog = page.getByRole("dialog", { name: "API token required" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /requires an API token/);
  await ctx.screenshot("auth-token-prompt");
  // A wrong token: asked again (the retry got 401), then cancel shows the error, not a blank page.
  await dialog.getByLabel("Token").fill("not-a-token");
  await dialog.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".error[role=alert]").waitFor();
  assert.match(await page.locator(".error[role=alert]").textContent(), /UNAUTHENTICATED/);
  // The right token, through the prompt again (a reload: nothing stored for a bad token).
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await dialog.waitFor();
  await dialog.getByLabel("Token").fill(ctx.token);
  await dialog.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Jobs" }).waitFor();
  await page.getByText("No jobs yet").waitFor();
  // Kept for the session: other pages load without asking again.
  await page.goto(`${baseUrl}/#/`);
  await page.getByText("model(s) in this workspace").waitFor();
  assert.equal(await dialog.count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("strata.token")), ctx.token);
  await ctx.screenshot("auth-signed-in");
}
