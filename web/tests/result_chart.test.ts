import { describe, expect, it } from "vitest";
import { chooseChart, MAX_BARS } from "../src/lib/result_chart";

describe("chooseChart", () => {
  it("draws nothing without a numeric column or rows", () => {
    expect(chooseChart([{ name: "state", type: "STRING" }], [{ state: "KS" }])).toBeNull();
    expect(chooseChart([{ name: "n", type: "INT64" }], [])).toBeNull();
    expect(chooseChart([{ name: "n", type: "INT64" }], [{ n: null }])).toBeNull();
  });
  it("draws one row (ML.EVALUATE) as a bar per numeric column", () => {
    const columns = [
      { name: "precision", type: "FLOAT64" },
      { name: "recall", type: "FLOAT64" },
      { name: "note", type: "STRING" },
    ];
    const c = chooseChart(columns, [{ precision: 0.8, recall: 0.7, note: "x" }])!;
    expect(c.kind).toBe("bar");
    expect(c.labels).toEqual(["precision", "recall"]);
    expect(c.series).toEqual([{ name: "value", values: [0.8, 0.7] }]);
  });
  it("draws bars by the first text column, capped", () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ state: `S${i}`, n: i }));
    const c = chooseChart([{ name: "state", type: "STRING" }, { name: "n", type: "INT64" }], rows)!;
    expect(c.kind).toBe("bar");
    expect(c.xTitle).toBe("state");
    expect(c.labels).toHaveLength(MAX_BARS);
    expect(c.series[0].values[3]).toBe(3);
  });
  it("draws a line over a date column", () => {
    const c = chooseChart([{ name: "day", type: "DATE" }, { name: "sales", type: "FLOAT64" }], [
      { day: "2024-01-01", sales: 3 },
      { day: "2024-01-02", sales: 4 },
    ])!;
    expect(c.kind).toBe("line");
    expect(c.labels).toEqual(["2024-01-01", "2024-01-02"]);
  });
  it("uses a counting-up first column (ML.TRAINING_INFO's iteration) as x, else the row number", () => {
    const columns = [
      { name: "iteration", type: "INT64" },
      { name: "loss", type: "FLOAT64" },
    ];
    const c = chooseChart(columns, [
      { iteration: 0, loss: 0.6 },
      { iteration: 1, loss: 0.5 },
    ])!;
    expect(c).toEqual({ kind: "line", labels: ["0", "1"], xTitle: "iteration", series: [{ name: "loss", values: [0.6, 0.5] }] });
    const d = chooseChart(columns, [
      { iteration: 1, loss: 0.6 },
      { iteration: 1, loss: 0.5 },
    ])!;
    expect(d.xTitle).toBe("row");
    expect(d.series.map((s) => s.name)).toEqual(["iteration", "loss"]);
  });
});
