import { describe, expect, it } from "vitest";
import { curlV1, curlV2, shellQuote, v2Datatype } from "../src/lib/curl";

const fields = [
  { name: "state", type: "STRING" },
  { name: "account_length", type: "INT64" },
  { name: "total_day_minutes", type: "FLOAT64" },
];
const instance = { state: "O'Hare", account_length: 128, total_day_minutes: 265.1 };

// Undoes shellQuote the way sh does, to check that quoting round-trips.
function shellUnquote(s: string): string {
  return s.replace(/'\\''/g, "'").replace(/^'|'$/g, "");
}

describe("shellQuote", () => {
  it("single-quotes and escapes embedded quotes", () => {
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellUnquote(shellQuote(`{"s": "it's"}`))).toBe(`{"s": "it's"}`);
  });
});

describe("curlV1", () => {
  it("posts instances to :predict of a version, an alias or the latest", () => {
    const cmd = curlV1({ baseUrl: "http://127.0.0.1:8080", model: "churn", version: "2", explain: true }, instance);
    expect(cmd).toContain("'http://127.0.0.1:8080/v1/models/churn/versions/2:predict'");
    const body = JSON.parse(shellUnquote(cmd.split("-d ")[1]));
    expect(body).toEqual({ instances: [instance], explain: true });
    expect(curlV1({ baseUrl: "http://h", model: "churn", version: "production" }, instance)).toContain("/v1/models/churn/labels/production:predict");
    expect(curlV1({ baseUrl: "http://h", model: "churn" }, instance)).toContain("'http://h/v1/models/churn:predict'");
  });
  it("uses $STRATA_TOKEN, never the token itself", () => {
    const cmd = curlV1({ baseUrl: "http://h", model: "m", token: "strata_secret" }, instance);
    expect(cmd).toContain('-H "Authorization: Bearer $STRATA_TOKEN"');
    expect(cmd).not.toContain("strata_secret");
  });
});

describe("curlV2", () => {
  it("sends one tensor per input with the protocol's datatypes", () => {
    const cmd = curlV2({ baseUrl: "http://h", model: "churn", version: "production" }, fields, instance);
    expect(cmd).toContain("'http://h/v2/models/churn/versions/production/infer'");
    const body = JSON.parse(shellUnquote(cmd.split("-d ")[1]));
    expect(body.inputs).toEqual([
      { name: "state", shape: [1], datatype: "BYTES", data: ["O'Hare"] },
      { name: "account_length", shape: [1], datatype: "INT64", data: [128] },
      { name: "total_day_minutes", shape: [1], datatype: "FP64", data: [265.1] },
    ]);
    expect(v2Datatype("BOOL")).toBe("BOOL");
    expect(v2Datatype("DATE")).toBe("BYTES");
  });
});
