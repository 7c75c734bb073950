import { describe, expect, it } from "vitest";
import { metricsAt, pointAt, precisionRecallPoints, RocPoint } from "../src/lib/threshold";

// Scores 0.9 (pos), 0.8 (neg), 0.6 (pos), 0.3 (neg), 0.2 (pos): the curve scikit-learn's
// roc_curve gives (drop_intermediate=False), with the counts at each threshold.
function pt(threshold: number, tp: number, fp: number): RocPoint {
  const P = 3, N = 2;
  return {
    threshold,
    recall: tp / P,
    false_positive_rate: fp / N,
    precision: tp + fp ? tp / (tp + fp) : 1,
    true_positives: tp,
    false_positives: fp,
    true_negatives: N - fp,
    false_negatives: P - tp,
  };
}
const curve: RocPoint[] = [pt(1.9, 0, 0), pt(0.9, 1, 0), pt(0.8, 1, 1), pt(0.6, 2, 1), pt(0.3, 2, 2), pt(0.2, 3, 2)];

describe("pointAt", () => {
  it("takes the point with the smallest threshold >= t (score >= t is positive)", () => {
    expect(pointAt(curve, 0.5)!.threshold).toBe(0.6);
    expect(pointAt(curve, 0.6)!.threshold).toBe(0.6);
    expect(pointAt(curve, 0.61)!.threshold).toBe(0.8);
    expect(pointAt(curve, 0)!.threshold).toBe(0.2);
  });
  it("predicts nothing positive above every threshold, and is null for no curve", () => {
    expect(pointAt(curve, 5)!.threshold).toBe(1.9);
    expect(pointAt([], 0.5)).toBeNull();
  });
});

describe("metricsAt", () => {
  it("matches counting the five scores by hand at 0.5", () => {
    // Predicted positive: 0.9 (tp), 0.8 (fp), 0.6 (tp); negative: 0.3 (tn), 0.2 (fn).
    const m = metricsAt(curve, 0.5)!;
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([2, 1, 1, 1]);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    expect(m.matrix).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });
  it("gives precision 0 (zero_division) when nothing is predicted positive", () => {
    const m = metricsAt(curve, 0.95)!;
    expect(m.tp + m.fp).toBe(0);
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
  });
  it("moving the threshold down raises recall and lowers precision here", () => {
    const high = metricsAt(curve, 0.85)!, low = metricsAt(curve, 0.1)!;
    expect(high.recall).toBeLessThan(low.recall);
    expect(high.precision).toBeGreaterThan(low.precision);
    expect(low.matrix[1][1]).toBe(3);
  });
});

describe("precisionRecallPoints", () => {
  it("maps each point to (recall, precision) and derives a missing precision from the counts", () => {
    const noPrecision = curve.map((p) => ({ ...p, precision: undefined }));
    expect(precisionRecallPoints(noPrecision).map((p) => p.y)).toEqual([1, 0.5, 2 / 3, 0.5, 0.6]);
    expect(precisionRecallPoints(curve)[0]).toEqual({ x: 0, y: 1 });
  });
});
