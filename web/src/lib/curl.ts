// Ready-to-copy curl commands for one prediction, in both protocols the server speaks:
// TF-Serving / Vertex AI (`:predict` with instances) and the Open Inference Protocol
// (KServe v2 `/infer`, one input tensor per column). docs/server.md has both.
import { InputField } from "./form_values";

// Quotes `s` for a POSIX shell: single quotes, with each ' written as '\''.
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// The Open Inference Protocol datatype of a column type (server: BYTES for strings and dates).
export function v2Datatype(type: string): string {
  switch (type) {
    case "INT64":
      return "INT64";
    case "FLOAT64":
      return "FP64";
    case "BOOL":
      return "BOOL";
    default:
      return "BYTES";
  }
}

export interface CurlTarget {
  baseUrl: string; // "http://127.0.0.1:8080"
  model: string;
  version?: string; // a number or an alias; empty for the latest
  token?: string | null; // adds the Authorization header as $STRATA_TOKEN when set
  explain?: boolean;
}

function authFlag(t: CurlTarget): string {
  return t.token ? ` -H "Authorization: Bearer $STRATA_TOKEN"` : "";
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

// The TF-Serving style command: POST /v1/models/{name}[/versions/{v} | /labels/{alias}]:predict.
export function curlV1(t: CurlTarget, instance: Record<string, unknown>): string {
  let path = `/v1/models/${seg(t.model)}`;
  if (t.version) path += /^\d+$/.test(t.version) ? `/versions/${t.version}` : `/labels/${seg(t.version)}`;
  const body: Record<string, unknown> = { instances: [instance] };
  if (t.explain) body.explain = true;
  return `curl -s -X POST${authFlag(t)} -H 'Content-Type: application/json' ${shellQuote(`${t.baseUrl}${path}:predict`)} \\\n  -d ${shellQuote(JSON.stringify(body))}`;
}

// The KServe v2 command: POST /v2/models/{name}[/versions/{v}]/infer, one tensor per input.
export function curlV2(t: CurlTarget, fields: InputField[], instance: Record<string, unknown>): string {
  let path = `/v2/models/${seg(t.model)}`;
  if (t.version) path += `/versions/${seg(t.version)}`;
  const inputs = fields.map((f) => ({
    name: f.name,
    shape: [1],
    datatype: v2Datatype(f.type),
    data: [instance[f.name] ?? null],
  }));
  const body: Record<string, unknown> = { inputs };
  if (t.explain) body.parameters = { explain: true };
  return `curl -s -X POST${authFlag(t)} -H 'Content-Type: application/json' ${shellQuote(`${t.baseUrl}${path}/infer`)} \\\n  -d ${shellQuote(JSON.stringify(body))}`;
}
