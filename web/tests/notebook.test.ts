import { describe, expect, it } from "vitest";
import { notebookNameError, parseNotebook, serializeNotebook, suggestName } from "../src/lib/notebook";

describe("notebook (de)serialisation", () => {
  it("round-trips cells, blank ones included", () => {
    const cells = ["SELECT 1", "", "SELECT * FROM ML.EVALUATE(MODEL m)"];
    const body = serializeNotebook(cells);
    expect(body).toEqual({ cells: [{ sql: "SELECT 1" }, { sql: "" }, { sql: "SELECT * FROM ML.EVALUATE(MODEL m)" }] });
    expect(parseNotebook(JSON.parse(JSON.stringify(body)))).toEqual(cells);
  });
  it("names the bad field of a damaged notebook", () => {
    expect(() => parseNotebook(null)).toThrow('lacks the field "cells"');
    expect(() => parseNotebook({ cells: "x" })).toThrow('"cells" must be an array');
    expect(() => parseNotebook({ cells: [{ sql: "a" }, { sql: 2 }] })).toThrow("cells[1].sql must be a string");
  });
  it("checks names as the server does", () => {
    expect(notebookNameError("churn_analysis.v2")).toBeNull();
    expect(notebookNameError("")).toContain("1 to 128");
    expect(notebookNameError("a b")).toContain("may only contain");
    expect(notebookNameError("x".repeat(129))).toContain("1 to 128");
  });
  it("suggests a name after the model a CREATE MODEL cell makes", () => {
    expect(suggestName(["SELECT 1", "CREATE OR REPLACE MODEL churn_lr OPTIONS(model_type='LOGISTIC_REG') AS SELECT 1"])).toBe("churn_lr_notebook");
    expect(suggestName(["SELECT 1"])).toBe("notebook");
  });
});
