// The prediction form: which HTML control each input type gets, and turning what the user
// typed into the JSON value the server expects for that type (docs/server.md, "Values are
// read as the column's training type"). An empty field is sent as null (a missing value).
export type InputType = "INT64" | "FLOAT64" | "BOOL" | "STRING" | "DATE" | "TIMESTAMP" | string;

export interface InputField {
  name: string;
  type: InputType;
}

export type Coerced = { ok: true; value: string | number | boolean | null } | { ok: false; error: string };

// The <input type> (or "select" for BOOL) that suits a column type.
export function controlFor(type: InputType): { kind: "input" | "select"; inputType?: string; step?: string } {
  switch (type) {
    case "INT64":
      return { kind: "input", inputType: "number", step: "1" };
    case "FLOAT64":
      return { kind: "input", inputType: "number", step: "any" };
    case "BOOL":
      return { kind: "select" };
    case "DATE":
      return { kind: "input", inputType: "date" };
    default:
      return { kind: "input", inputType: "text" };
  }
}

// The value to send for `raw` typed into the field of column `field`.
export function coerce(field: InputField, raw: string): Coerced {
  const text = raw.trim();
  if (text === "") return { ok: true, value: null };
  const bad = (expected: string): Coerced => ({
    ok: false,
    error: `${field.name}: expected ${expected}, got "${raw}"`,
  });
  switch (field.type) {
    case "INT64": {
      if (!/^[+-]?\d+(\.0*)?$/.test(text)) return bad("a whole number");
      const n = Number(text);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : bad("a whole number within ±2^53");
    }
    case "FLOAT64": {
      const n = Number(text);
      return Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? { ok: true, value: n } : bad("a number");
    }
    case "BOOL": {
      const t = text.toLowerCase();
      if (["true", "1", "yes"].includes(t)) return { ok: true, value: true };
      if (["false", "0", "no"].includes(t)) return { ok: true, value: false };
      return bad("true or false");
    }
    case "DATE":
      return /^\d{4}-\d{2}-\d{2}$/.test(text) ? { ok: true, value: text } : bad("a date YYYY-MM-DD");
    default:
      return { ok: true, value: raw };
  }
}

// Coerces every field; the instance to send, or the list of errors.
export function buildInstance(
  fields: InputField[],
  values: Record<string, string>,
): { instance: Record<string, unknown>; errors: string[] } {
  const instance: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const f of fields) {
    const c = coerce(f, values[f.name] ?? "");
    if (c.ok) instance[f.name] = c.value;
    else errors.push(c.error);
  }
  return { instance, errors };
}

// A value read from the workspace (a SQL row) as the text to put in the field.
export function toFieldText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value);
}
