// End-to-end tests of the console: a real `strata serve` on 127.0.0.1 over a fresh workspace,
// Debian's chromium driven headless by playwright-core, and every flow in flows/*.mjs run in
// file-name order against it, sharing one page and one `state` object. Then a short second
// run with auth on: the token prompt appears and the token works.
//
//   node e2e/run.mjs            (from web/; npm run e2e)
//
// Environment: STRATA_BIN (default ../build/strata), CHROMIUM (default /usr/bin/chromium),
// STRATA_TEST_OUTPUT (screenshots; default ../build/test-output/web), STRATA_E2E_REQUIRE=1
// (fail instead of skipping when chromium is missing; scripts/test sets it).
// Exit codes: 0 passed, 1 failed, 77 skipped (chromium missing; CTest's SKIP_RETURN_CODE).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, "..");
const repoDir = resolve(webDir, "..");
const strataBin = resolve(webDir, process.env.STRATA_BIN || "../build/strata");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const outputDir = resolve(webDir, process.env.STRATA_TEST_OUTPUT || "../build/test-output/web");
const require = process.env.STRATA_E2E_REQUIRE === "1";

function log(message) {
  process.stdout.write(`e2e: ${message}\n`);
}

if (!existsSync(chromiumPath)) {
  const why = `chromium not found at ${chromiumPath} (install Debian's 'chromium': scripts/bootstrap --test, or set CHROMIUM)`;
  if (require) {
    log(`FAILED: ${why}`);
    process.exit(1);
  }
  log(`SKIPPED: ${why}`);
  process.exit(77);
}
if (!existsSync(strataBin)) {
  log(`FAILED: no strata binary at ${strataBin} (build it with scripts/build, or set STRATA_BIN)`);
  process.exit(1);
}
if (!existsSync(join(webDir, "dist", "index.html"))) {
  log("FAILED: the console is not built (web/dist/index.html missing): run npm run build in web/");
  process.exit(1);
}

const { chromium } = await import("playwright-core");

// Runs the strata CLI synchronously; returns stdout, throws with stderr on failure.
function strata(args) {
  const r = spawnSync(strataBin, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`strata ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// Starts `strata serve --port 0` and resolves with its URL once it listens. Jobs run 10 nice
// levels lower rather than at the default idle priority: under `ctest -j` other tests keep the
// cores busy, and an idle-priority job would wait for them past the flows' timeouts.
function startServer(workspace, extraArgs = []) {
  const args = ["--workspace", workspace, "serve", "--port", "0", "--web-root", join(webDir, "dist"), "--job-nice", "10"];
  const child = spawn(strataBin, [...args, ...extraArgs], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`strata serve did not start within 20 s: ${stderr}`)), 20000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited with ${code}: ${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr };
}

function stopServer(server) {
  return new Promise((done) => {
    if (server.child.exitCode !== null) return done();
    server.child.once("exit", () => done());
    server.child.kill("SIGTERM");
    setTimeout(() => server.child.kill("SIGKILL"), 5000).unref();
  });
}

// A fresh, empty workspace (the SQL shell creates it).
function newWorkspace(dir, name) {
  const path = join(dir, name);
  strata(["--workspace", path, "--quiet", "sql", "-c", "SELECT 1"]);
  return path;
}

async function newPage(browser, baseUrl, failures) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") log(`  browser console: ${m.text()}`);
  });
  // Every request must stay on the server: the console works offline.
  page.on("request", (r) => {
    if (!r.url().startsWith(baseUrl) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) failures.push(`request outside the server: ${r.url()}`);
  });
  return { context, page };
}

mkdirSync(outputDir, { recursive: true });
// Screenshots of an earlier failed run would mislead.
for (const f of readdirSync(outputDir)) if (f.startsWith("FAILED-")) rmSync(join(outputDir, f));
const tmp = mkdtempSync(join(tmpdir(), "strata-e2e-"));
const started = Date.now();
let failed = false;
let browser;
const servers = [];
try {
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });

  // Run 1: no auth, every flow.
  const workspace = newWorkspace(tmp, "strata.db");
  const server = startServer(workspace);
  servers.push(server);
  const baseUrl = await server.url;
  log(`strata serve at ${baseUrl}, workspace ${workspace}`);
  const failures = [];
  const { context, page } = await newPage(browser, baseUrl, failures);
  const state = {};
  const ctx = {
    page,
    baseUrl,
    state,
    strataBin,
    workspace,
    repoDir,
    outputDir,
    log,
    screenshot: async (name) => {
      const file = join(outputDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
  const only = process.env.STRATA_E2E_ONLY; // a substring of flow file names, for debugging
  const flows = readdirSync(join(here, "flows")).filter((f) => f.endsWith(".mjs") && (!only || f.includes(only))).sort();
  for (const file of flows) {
    const t0 = Date.now();
    try {
      const flow = (await import(pathToFileURL(join(here, "flows", file)).href)).default;
      await flow(ctx);
      if (failures.length) throw new Error(failures.join("; "));
      log(`ok   ${file} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed = true;
      log(`FAIL ${file}: ${e.stack || e}`);
      await page.screenshot({ path: join(outputDir, `FAILED-${file.replace(/\.mjs$/, "")}.png`), fullPage: true }).catch(() => undefined);
      break; // later flows build on this one's state
    }
  }
  await context.close();
  if (failed) log(`server log:\n${server.stderr()}`);

  // Run 2: auth on. The console asks for a token when the API answers 401, and the token
  // works for the rest of the session.
  if (!failed && (!only || "auth.mjs".includes(only))) {
    const t0 = Date.now();
    const authWs = newWorkspace(tmp, "auth.db");
    const token = strata(["--workspace", authWs, "tokens", "create", "--scope", "admin", "--name", "e2e"]).trim();
    const authServer = startServer(authWs, ["--auth"]);
    servers.push(authServer);
    const authUrl = await authServer.url;
    const authFailures = [];
    const run = await newPage(browser, authUrl, authFailures);
    try {
      const flow = (await import(pathToFileURL(join(here, "auth.mjs")).href)).default;
      await flow({ ...ctx, page: run.page, baseUrl: authUrl, token, workspace: authWs, state: {}, screenshot: async (name) => run.page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true }) });
      if (authFailures.length) throw new Error(authFailures.join("; "));
      log(`ok   auth.mjs (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed = true;
      log(`FAIL auth.mjs: ${e.stack || e}`);
      await run.page.screenshot({ path: join(outputDir, "FAILED-auth.png"), fullPage: true }).catch(() => undefined);
    }
    await run.context.close();
  }
} catch (e) {
  failed = true;
  log(`FAILED: ${e.stack || e}`);
} finally {
  if (browser) await browser.close().catch(() => undefined);
  for (const s of servers) await stopServer(s);
  rmSync(tmp, { recursive: true, force: true });
}
log(`${failed ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${outputDir}`);
process.exit(failed ? 1 : 0);
