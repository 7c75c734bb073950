// Choosing a chart for a SQL result (the notebook draws one under any result with a numeric
// column): a bar per metric for a single row (ML.EVALUATE), bars by the first text column,
// a line over a date/time column or, with only numbers, over the first column when it
// counts up (ML.TRAINING_INFO's iteration) or else the row number.
export interface ResultColumn {
  name: string;
  type: string;
}

export interface ChartChoice {
  kind: "bar" | "line";
  labels: string[]; // x axis: categories or x values as text
  xTitle: string;
  series: Array<{ name: string; values: Array<number | null> }>;
}

// Most series drawn, and most rows drawn as bars (beyond that a bar chart is unreadable).
export const MAX_SERIES = 3;
export const MAX_BARS = 60;
export const MAX_POINTS = 2000;

const NUMERIC = new Set(["INT64", "FLOAT64"]);
const TIME = new Set(["DATE", "TIMESTAMP"]);

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

// Whether the column holds strictly increasing numbers in every row.
function countsUp(rows: Array<Record<string, unknown>>, name: string): boolean {
  for (let i = 1; i < rows.length; i++) {
    const a = numberOrNull(rows[i - 1][name]), b = numberOrNull(rows[i][name]);
    if (a === null || b === null || !(b > a)) return false;
  }
  return rows.length > 1;
}

// The chart for `rows` of `columns`, or null when there is nothing numeric to draw.
export function chooseChart(columns: ResultColumn[], rows: Array<Record<string, unknown>>): ChartChoice | null {
  const numeric = columns.filter((c) => NUMERIC.has(c.type) && rows.some((r) => numberOrNull(r[c.name]) !== null));
  if (numeric.length === 0 || rows.length === 0) return null;
  if (rows.length === 1) {
    return {
      kind: "bar",
      labels: numeric.map((c) => c.name),
      xTitle: "",
      series: [{ name: "value", values: numeric.map((c) => numberOrNull(rows[0][c.name])) }],
    };
  }
  const label = columns.find((c) => !NUMERIC.has(c.type) && c.type !== "BOOL");
  if (label) {
    const line = TIME.has(label.type);
    const shown = rows.slice(0, line ? MAX_POINTS : MAX_BARS);
    return {
      kind: line ? "line" : "bar",
      labels: shown.map((r) => String(r[label.name] ?? "NULL")),
      xTitle: label.name,
      series: numeric.slice(0, MAX_SERIES).map((c) => ({ name: c.name, values: shown.map((r) => numberOrNull(r[c.name])) })),
    };
  }
  const shown = rows.slice(0, MAX_POINTS);
  const x = numeric.length > 1 && countsUp(shown, numeric[0].name) ? numeric[0] : null;
  const ys = (x ? numeric.slice(1) : numeric).slice(0, MAX_SERIES);
  return {
    kind: "line",
    labels: shown.map((r, i) => (x ? String(r[x.name]) : String(i + 1))),
    xTitle: x ? x.name : "row",
    series: ys.map((c) => ({ name: c.name, values: shown.map((r) => numberOrNull(r[c.name])) })),
  };
}
