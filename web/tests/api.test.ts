import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, getToken, setToken, setTokenPrompt } from "../src/api";

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
});

describe("api and the token prompt", () => {
  it("asks once when several requests get a 401 together, then retries with the token", async () => {
    const seen: Array<string | null> = [];
    vi.stubGlobal("fetch", async (_path: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).Authorization ?? null;
      seen.push(auth);
      if (auth !== "Bearer good") {
        return new Response(JSON.stringify({ error: { code: "UNAUTHENTICATED", message: "needs a token", details: {} } }), { status: 401, headers: { "Content-Type": "application/json" } });
      }
      return new Response(JSON.stringify({ ok: true }), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    let prompts = 0;
    setTokenPrompt(async () => {
      prompts++;
      await new Promise((r) => setTimeout(r, 10));
      return "good";
    });
    const [a, b] = await Promise.all([api("/v1/a"), api("/v1/b")]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: true });
    expect(prompts).toBe(1);
    expect(getToken()).toBe("good");
  });
  it("turns the server's error shape into an ApiError", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "no dataset 'chrun'. Did you mean 'churn'?", details: {} } }), { status: 404 }));
    const e = (await api("/v1/datasets/chrun").catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(404);
    expect(e.message).toMatch(/Did you mean 'churn'/);
  });
});
