import { describe, expect, it } from "vitest";
import { matchRoute, parseHash } from "../src/router";

describe("matchRoute", () => {
  it("binds named segments and decodes them", () => {
    expect(matchRoute("/models/:name", "/models/churn%20v2")).toEqual({ name: "churn v2" });
  });
  it("rejects paths of another length or literal", () => {
    expect(matchRoute("/models/:name", "/models")).toBeNull();
    expect(matchRoute("/models/:name", "/jobs/1")).toBeNull();
  });
  it("matches the root", () => {
    expect(matchRoute("/", "/")).toEqual({});
  });
});

describe("parseHash", () => {
  it("splits the path and the query", () => {
    const { path, query } = parseHash("#/models/churn?tab=roc");
    expect(path).toBe("/models/churn");
    expect(query.get("tab")).toBe("roc");
  });
  it("defaults to the root", () => {
    expect(parseHash("").path).toBe("/");
  });
});
