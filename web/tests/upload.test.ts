import { describe, expect, it } from "vitest";
import { uploadUrl, xhrError } from "../src/lib/upload";

describe("upload request", () => {
  it("puts name, format and replace in the query", () => {
    expect(uploadUrl({ name: "churn", format: "auto", replace: false })).toBe("/v1/datasets?name=churn");
    expect(uploadUrl({ name: "a b", format: "jsonl", replace: true })).toBe("/v1/datasets?name=a+b&format=jsonl&replace=true");
  });
  it("turns the server's error shape into an ApiError", () => {
    const e = xhrError(400, JSON.stringify({ error: { code: "INVALID_ARGUMENT", message: "bad.csv:3:7: expected 4 fields", details: { line: 3 } } }));
    expect(e.status).toBe(400);
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toBe("bad.csv:3:7: expected 4 fields");
    expect(e.details).toEqual({ line: 3 });
    expect(xhrError(0, "").message).toMatch(/interrupted/);
    expect(xhrError(502, "Bad gateway").code).toBe("HTTP_502");
  });
});
