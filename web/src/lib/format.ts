// Formatting of numbers, sizes and durations for the console, and the defaults derived from
// an uploaded file's name (dataset name, format).

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// A number for a table cell: integers with thousands separators, others with 4 significant
// digits; null and non-numbers as given.
export function formatNumber(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

export function formatPercent(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : "?";
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// A valid table name from a file name: "Churn data (2024).csv" -> "churn_data_2024".
// Table names are letters, digits and _, not starting with a digit.
export function datasetNameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "").replace(/\.(csv|tsv|jsonl|ndjson|json|txt)(\.gz)?$/i, "");
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  if (!name) name = "dataset";
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  return name;
}

// The upload format the server should assume for a file name ("auto": let it sniff).
export function formatFromFile(fileName: string): "csv" | "tsv" | "jsonl" | "auto" {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".tsv") || lower.endsWith(".tab")) return "tsv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return "auto";
}

// Why a dataset name is not valid, or null when it is.
export function datasetNameError(name: string): string | null {
  if (!name) return "give the dataset a name";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `'${name}' is not a valid table name: use letters, digits and _, not starting with a digit`;
  }
  if (/^strata_/i.test(name)) return "names starting with strata_ are reserved for the workspace";
  return null;
}
