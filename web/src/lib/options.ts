// Option forms generated from the server's option declarations (GET /v1/model-types, which
// reads the one declaration of each option): the input to show, its help and range, and
// client-side validation with the same rules and messages' content as the server's.

export type OptionKind = "bool" | "int" | "float" | "string" | "enum" | "string_list" | "float_map" | "int_list";

export interface OptionDecl {
  name: string;
  type: OptionKind;
  default: unknown;
  min: number | null;
  max: number | null;
  min_exclusive: boolean;
  max_exclusive: boolean;
  allowed: string[];
  scale: "linear" | "log";
  range: string; // "INT64 in [1, 100], default 5": the server's own wording
  help: string;
  extension?: boolean;
}

export interface ModelTypeInfo {
  model_type: string;
  task: "classification" | "regression" | "clustering";
  summary: string;
  options: OptionDecl[];
}

export interface ModelTypes {
  model_types: ModelTypeInfo[];
  common_options: OptionDecl[];
  automl: { model_types: string[]; options: OptionDecl[] };
}

// How an option is edited: a checkbox, a number field (with its step and bounds), a select,
// or a text field (lists as "a, b"; label weights as "yes=5, no=1").
export interface InputSpec {
  kind: "checkbox" | "number" | "select" | "text";
  step?: string;
  min?: number;
  max?: number;
  choices?: string[];
  placeholder?: string;
}

export function inputSpec(decl: OptionDecl): InputSpec {
  switch (decl.type) {
    case "bool":
      return { kind: "checkbox" };
    case "int":
    case "float":
      return {
        kind: "number",
        step: decl.type === "int" ? "1" : "any",
        min: decl.min ?? undefined,
        max: decl.max ?? undefined,
        placeholder: decl.default === null || decl.default === undefined ? "not set" : String(decl.default),
      };
    case "enum":
      return { kind: "select", choices: decl.allowed };
    case "string_list":
      return { kind: "text", placeholder: "a, b, c" };
    case "float_map":
      return { kind: "text", placeholder: "yes=5, no=1" };
    case "int_list":
      return { kind: "text", placeholder: Array.isArray(decl.default) ? decl.default.join(", ") : "e.g. 128, 64" };
    default:
      return { kind: "text", placeholder: decl.default ? String(decl.default) : "" };
  }
}

// The valid range in words, for the help line under the input.
export function rangeText(decl: OptionDecl): string {
  if (decl.type === "int" || decl.type === "float") {
    const kind = decl.type === "int" ? "whole number" : "number";
    if (decl.min === null && decl.max === null) return `a ${kind}`;
    const lo = decl.min === null ? "-∞" : String(decl.min);
    const hi = decl.max === null ? "+∞" : String(decl.max);
    const open = decl.min !== null && !decl.min_exclusive ? "[" : "(";
    const close = decl.max !== null && !decl.max_exclusive ? "]" : ")";
    return `a ${kind} in ${open}${lo}, ${hi}${close}${decl.scale === "log" ? " (log scale)" : ""}`;
  }
  if (decl.type === "enum") return `one of ${decl.allowed.join(", ")}`;
  if (decl.type === "bool") return "on or off";
  if (decl.type === "float_map") return "label=weight pairs, e.g. yes=5, no=1";
  if (decl.type === "string_list") return "names separated by commas";
  if (decl.type === "int_list") {
    const lo = decl.min === null ? "" : ` ≥ ${decl.min}`;
    const hi = decl.max === null ? "" : `${lo ? " and" : ""} ≤ ${decl.max}`;
    return `whole numbers${lo}${hi}, separated by commas`;
  }
  return "text";
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

// Parses what the user typed (a checkbox's boolean, or text) into the option's JSON value.
// Empty text means "not set" (value undefined: the server's default applies).
export function parseOption(decl: OptionDecl, raw: string | boolean): Parsed {
  if (decl.type === "bool") return { ok: true, value: raw === true || raw === "true" };
  const text = String(raw).trim();
  if (text === "") return { ok: true, value: undefined };
  const fail = (why: string): Parsed => ({ ok: false, error: `${decl.name}: ${why}; expected ${rangeText(decl)}` });
  switch (decl.type) {
    case "int":
    case "float": {
      const n = Number(text);
      if (!Number.isFinite(n)) return fail(`'${text}' is not a number`);
      if (decl.type === "int" && !Number.isInteger(n)) return fail(`${text} is not a whole number`);
      if (decl.min !== null && (n < decl.min || (decl.min_exclusive && n === decl.min))) return fail(`${text} is too small`);
      if (decl.max !== null && (n > decl.max || (decl.max_exclusive && n === decl.max))) return fail(`${text} is too large`);
      return { ok: true, value: n };
    }
    case "enum": {
      const upper = text.toUpperCase();
      if (!decl.allowed.includes(upper)) return fail(`'${text}' is not allowed`);
      return { ok: true, value: upper };
    }
    case "string_list":
      return { ok: true, value: text.split(",").map((s) => s.trim()).filter(Boolean) };
    case "int_list": {
      const parts = text.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()).filter(Boolean);
      const values: number[] = [];
      for (const part of parts) {
        const n = Number(part);
        if (!Number.isInteger(n)) return fail(`'${part}' is not a whole number`);
        if ((decl.min !== null && n < decl.min) || (decl.max !== null && n > decl.max)) return fail(`${part} is out of range`);
        values.push(n);
      }
      if (values.length === 0) return fail("the list is empty");
      return { ok: true, value: values };
    }
    case "float_map": {
      const out: Record<string, number> = {};
      for (const part of text.split(",")) {
        const m = /^\s*([^=:]+?)\s*[=:]\s*(\S+)\s*$/.exec(part);
        if (!m) return fail(`'${part.trim()}' is not label=weight`);
        const w = Number(m[2]);
        if (!Number.isFinite(w) || w < 0) return fail(`the weight of '${m[1]}' must be a number ≥ 0`);
        out[m[1]] = w;
      }
      return { ok: true, value: out };
    }
    default:
      return { ok: true, value: text };
  }
}

// The options object to send: only values the user set that differ from the default, so
// that the stored TrainSpec stays short. Returns every error found (one per option).
export function collectOptions(
  decls: OptionDecl[],
  raw: Record<string, string | boolean>,
): { options: Record<string, unknown>; errors: string[] } {
  const options: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const decl of decls) {
    if (!(decl.name in raw)) continue;
    const parsed = parseOption(decl, raw[decl.name]);
    if (!parsed.ok) {
      errors.push(parsed.error);
      continue;
    }
    if (parsed.value === undefined) continue;
    if (JSON.stringify(parsed.value) === JSON.stringify(decl.default)) continue;
    options[decl.name] = parsed.value;
  }
  return { options, errors };
}

// The model types that fit a task ("classification" for a categorical label, ...).
export function typesForTask(types: ModelTypeInfo[], task: string | null): ModelTypeInfo[] {
  return task ? types.filter((t) => t.task === task) : types;
}
