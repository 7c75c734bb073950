import { describe, expect, it } from "vitest";
import { buildInstance, coerce, controlFor, toFieldText } from "../src/lib/form_values";

describe("controlFor", () => {
  it("gives numbers, a select for BOOL, a date picker and text", () => {
    expect(controlFor("INT64")).toEqual({ kind: "input", inputType: "number", step: "1" });
    expect(controlFor("FLOAT64").step).toBe("any");
    expect(controlFor("BOOL").kind).toBe("select");
    expect(controlFor("DATE").inputType).toBe("date");
    expect(controlFor("STRING").inputType).toBe("text");
  });
});

describe("coerce", () => {
  it("reads numbers as the column's type, as the server does", () => {
    expect(coerce({ name: "n", type: "INT64" }, "128")).toEqual({ ok: true, value: 128 });
    expect(coerce({ name: "n", type: "INT64" }, "3.0")).toEqual({ ok: true, value: 3 });
    expect(coerce({ name: "n", type: "INT64" }, "3.5")).toEqual({ ok: false, error: 'n: expected a whole number, got "3.5"' });
    expect(coerce({ name: "x", type: "FLOAT64" }, " 265.1 ")).toEqual({ ok: true, value: 265.1 });
    expect(coerce({ name: "x", type: "FLOAT64" }, "1e3")).toEqual({ ok: true, value: 1000 });
    expect(coerce({ name: "x", type: "FLOAT64" }, "abc").ok).toBe(false);
    expect(coerce({ name: "x", type: "FLOAT64" }, "Infinity").ok).toBe(false);
  });
  it("reads booleans, dates and keeps strings as typed", () => {
    expect(coerce({ name: "b", type: "BOOL" }, "yes")).toEqual({ ok: true, value: true });
    expect(coerce({ name: "b", type: "BOOL" }, "0")).toEqual({ ok: true, value: false });
    expect(coerce({ name: "b", type: "BOOL" }, "maybe").ok).toBe(false);
    expect(coerce({ name: "d", type: "DATE" }, "2024-02-29")).toEqual({ ok: true, value: "2024-02-29" });
    expect(coerce({ name: "d", type: "DATE" }, "29/02/2024").ok).toBe(false);
    expect(coerce({ name: "s", type: "STRING" }, " KS")).toEqual({ ok: true, value: " KS" });
  });
  it("sends an empty field as null (a missing value)", () => {
    expect(coerce({ name: "n", type: "INT64" }, "  ")).toEqual({ ok: true, value: null });
  });
});

describe("buildInstance", () => {
  it("collects every value or every error", () => {
    const fields = [
      { name: "state", type: "STRING" },
      { name: "account_length", type: "INT64" },
      { name: "total_day_minutes", type: "FLOAT64" },
    ];
    expect(buildInstance(fields, { state: "KS", account_length: "128", total_day_minutes: "265.1" })).toEqual({
      instance: { state: "KS", account_length: 128, total_day_minutes: 265.1 },
      errors: [],
    });
    const bad = buildInstance(fields, { state: "KS", account_length: "x", total_day_minutes: "y" });
    expect(bad.errors).toHaveLength(2);
    expect(bad.errors[0]).toContain("account_length");
  });
  it("turns workspace values into field text", () => {
    expect(toFieldText(null)).toBe("");
    expect(toFieldText(2.7)).toBe("2.7");
  });
});
