import { describe, expect, it } from "vitest";
import { collectOptions, inputSpec, OptionDecl, parseOption, rangeText, typesForTask, ModelTypeInfo } from "../src/lib/options";

// Declarations in the shape GET /v1/model-types sends (OptionSpecToJson).
const decl = (over: Partial<OptionDecl>): OptionDecl => ({
  name: "x", type: "float", default: null, min: null, max: null, min_exclusive: false, max_exclusive: false,
  allowed: [], scale: "linear", range: "", help: "", ...over,
});
const depth = decl({ name: "max_tree_depth", type: "int", default: 6, min: 1, max: 20, help: "Maximum tree depth" });
const rate = decl({ name: "learn_rate", type: "float", default: 0.3, min: 0, max: 1, min_exclusive: true, scale: "log" });
const booster = decl({ name: "booster_type", type: "enum", default: "GBTREE", allowed: ["GBTREE", "DART"] });
const early = decl({ name: "early_stop", type: "bool", default: true });
const weights = decl({ name: "class_weights", type: "float_map" });
const units = decl({ name: "hidden_units", type: "int_list", default: [128], min: 1, max: 16384 });

describe("option inputs", () => {
  it("picks the input from the declaration", () => {
    expect(inputSpec(depth)).toMatchObject({ kind: "number", step: "1", min: 1, max: 20, placeholder: "6" });
    expect(inputSpec(rate)).toMatchObject({ kind: "number", step: "any" });
    expect(inputSpec(booster)).toEqual({ kind: "select", choices: ["GBTREE", "DART"] });
    expect(inputSpec(early).kind).toBe("checkbox");
    expect(inputSpec(weights).kind).toBe("text");
  });
  it("says the valid range", () => {
    expect(rangeText(depth)).toBe("a whole number in [1, 20]");
    expect(rangeText(rate)).toBe("a number in (0, 1] (log scale)");
    expect(rangeText(decl({ min: 1 }))).toBe("a number in [1, +∞)");
    expect(rangeText(booster)).toBe("one of GBTREE, DART");
  });
});

describe("int list options (hidden_units)", () => {
  it("is a text field showing the default", () => {
    expect(inputSpec(units)).toEqual({ kind: "text", placeholder: "128" });
    expect(rangeText(units)).toBe("whole numbers ≥ 1 and ≤ 16384, separated by commas");
  });
  it("parses a comma list or a bracketed array, and rejects bad elements", () => {
    expect(parseOption(units, "256, 128")).toEqual({ ok: true, value: [256, 128] });
    expect(parseOption(units, "[64]")).toEqual({ ok: true, value: [64] });
    const zero = parseOption(units, "64, 0");
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.error).toContain("hidden_units: 0 is out of range");
    const word = parseOption(units, "wide");
    expect(word.ok).toBe(false);
    if (!word.ok) expect(word.error).toContain("'wide' is not a whole number");
  });
  it("sends only a list that differs from the default", () => {
    expect(collectOptions([units], { hidden_units: "128" }).options).toEqual({});
    expect(collectOptions([units], { hidden_units: "64,32" }).options).toEqual({ hidden_units: [64, 32] });
  });
});

describe("option validation", () => {
  it("accepts values in range", () => {
    expect(parseOption(depth, "8")).toEqual({ ok: true, value: 8 });
    expect(parseOption(rate, "0.05")).toEqual({ ok: true, value: 0.05 });
    expect(parseOption(booster, "dart")).toEqual({ ok: true, value: "DART" });
    expect(parseOption(early, false)).toEqual({ ok: true, value: false });
    expect(parseOption(weights, "yes=5, no: 1")).toEqual({ ok: true, value: { yes: 5, no: 1 } });
    expect(parseOption(depth, "  ")).toEqual({ ok: true, value: undefined });
  });
  it("rejects naming the option, the value and the range", () => {
    const r = parseOption(depth, "2.5");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("max_tree_depth: 2.5 is not a whole number; expected a whole number in [1, 20]");
    const big = parseOption(depth, "21");
    if (!big.ok) expect(big.error).toMatch(/max_tree_depth: 21 is too large/);
    const zero = parseOption(rate, "0");
    expect(zero.ok).toBe(false); // the minimum is exclusive
    expect(parseOption(depth, "abc").ok).toBe(false);
    expect(parseOption(booster, "gblinear").ok).toBe(false);
    expect(parseOption(weights, "yes=-1").ok).toBe(false);
    expect(parseOption(weights, "yes").ok).toBe(false);
  });
  it("sends only what differs from the defaults, and every error", () => {
    const { options, errors } = collectOptions([depth, rate, booster, early], { max_tree_depth: "6", learn_rate: "0.1", booster_type: "GBTREE", early_stop: false });
    expect(options).toEqual({ learn_rate: 0.1, early_stop: false });
    expect(errors).toEqual([]);
    const bad = collectOptions([depth, rate], { max_tree_depth: "0", learn_rate: "2" });
    expect(bad.errors).toHaveLength(2);
    expect(bad.options).toEqual({});
  });
  it("filters model types by task", () => {
    const types = [{ model_type: "LOGISTIC_REG", task: "classification" }, { model_type: "LINEAR_REG", task: "regression" }] as ModelTypeInfo[];
    expect(typesForTask(types, "regression").map((t) => t.model_type)).toEqual(["LINEAR_REG"]);
    expect(typesForTask(types, null)).toHaveLength(2);
  });
});
