// The dataset profile (GET /v1/datasets/{name}/profile, the core's ProfileToJson) and the
// figures the Dataset page derives from it.
import { ClassShare } from "./balance";

export interface ColumnProfile {
  name: string;
  type: string;
  count: number;
  nulls: number;
  distinct: number;
  numeric: { min: number; max: number; mean: number; stddev: number; median: number; zeros: number } | null;
  top_values?: Array<{ value: string; count: number }>;
  histogram?: { edges: number[]; counts: number[] } | null;
}

export interface LabelProfile {
  column: string;
  task: "classification" | "regression";
  nulls: number;
  classes: ClassShare[];
  imbalanced: boolean;
  minority_label: string;
  minority_fraction: number;
  advice: string[];
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
  label: LabelProfile | null;
  warnings: string[];
}

// Missing values of a column as a fraction of the rows.
export function missingFraction(c: ColumnProfile, rows: number): number {
  return rows > 0 ? c.nulls / rows : 0;
}

// Whether the page shows a histogram (numeric with one) or top values (the rest).
export function hasHistogram(c: ColumnProfile): boolean {
  return !!c.histogram && c.histogram.counts.length > 0 && c.histogram.edges.length === c.histogram.counts.length + 1;
}

// Columns that can be a label: any but those the profile calls empty (all null).
export function labelCandidates(p: Profile): string[] {
  return p.columns.filter((c) => c.nulls < p.rows).map((c) => c.name);
}

// A short label for a bin edge: fewer digits for wide ranges.
export function edgeLabel(span: number): (x: number) => string {
  const digits = span >= 100 ? 0 : span >= 10 ? 1 : span >= 1 ? 2 : 3;
  return (x: number) => x.toFixed(digits);
}
