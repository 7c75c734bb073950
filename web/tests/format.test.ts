import { describe, expect, it } from "vitest";
import { datasetNameError, datasetNameFromFile, formatBytes, formatDuration, formatFromFile, formatNumber, formatPercent } from "../src/lib/format";

describe("format", () => {
  it("sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(300 * 1024 * 1024)).toBe("300 MB");
    expect(formatBytes(-1)).toBe("?");
  });
  it("numbers for table cells", () => {
    expect(formatNumber(3333)).toBe("3,333");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(1.5e-5)).toBe("1.500e-5");
    expect(formatNumber(null)).toBe("");
    expect(formatNumber("KS")).toBe("KS");
  });
  it("percents and durations", () => {
    expect(formatPercent(0.1449)).toBe("14.5%");
    expect(formatPercent(NaN)).toBe("?");
    expect(formatDuration(3.21)).toBe("3.2 s");
    expect(formatDuration(75)).toBe("1 min 15 s");
    expect(formatDuration(3 * 3600 + 120)).toBe("3 h 2 min");
  });
});

describe("upload defaults from the file name", () => {
  it("derives a valid table name", () => {
    expect(datasetNameFromFile("churn.csv")).toBe("churn");
    expect(datasetNameFromFile("C:\\data\\Churn Data (2024).CSV")).toBe("churn_data_2024");
    expect(datasetNameFromFile("2024-sales.jsonl")).toBe("t_2024_sales");
    expect(datasetNameFromFile("...")).toBe("dataset");
    for (const f of ["churn.csv", "a b.tsv", "9.jsonl", "ünïcode.csv"]) expect(datasetNameError(datasetNameFromFile(f))).toBeNull();
  });
  it("guesses the format", () => {
    expect(formatFromFile("a.csv")).toBe("csv");
    expect(formatFromFile("a.TSV")).toBe("tsv");
    expect(formatFromFile("a.ndjson")).toBe("jsonl");
    expect(formatFromFile("a.txt")).toBe("auto");
  });
  it("explains invalid names", () => {
    expect(datasetNameError("")).toMatch(/name/);
    expect(datasetNameError("1abc")).toMatch(/not a valid table name/);
    expect(datasetNameError("strata_jobs")).toMatch(/reserved/);
  });
});
