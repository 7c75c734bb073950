import { describe, expect, it } from "vitest";
import { balanceSpec, defaultBalance, imbalanceRatio } from "../src/lib/balance";

describe("imbalance handling to the TrainSpec balance", () => {
  it("automatic: class weights only when the label is imbalanced", () => {
    expect(balanceSpec(defaultBalance, true)).toEqual({ auto_class_weights: true });
    expect(balanceSpec(defaultBalance, false)).toBeNull();
    expect(balanceSpec({ ...defaultBalance, mode: "none" }, true)).toBeNull();
  });
  it("custom: any combination", () => {
    const all = balanceSpec({ ...defaultBalance, mode: "custom", classWeights: true, downsample: true, downsampleRatio: 2, downsampleUpweight: false, upsample: "SMOTE", upsampleRatio: 0.5, smoteK: 3 }, false);
    expect(all).toEqual({ auto_class_weights: true, downsample_ratio: 2, downsample_upweight: false, upsample: "SMOTE", upsample_ratio: 0.5, smote_k_neighbors: 3 });
    expect(balanceSpec({ ...defaultBalance, mode: "custom", classWeights: true, explicitWeights: { yes: 5 } }, true)).toEqual({ class_weights: { yes: 5 } });
    expect(balanceSpec({ ...defaultBalance, mode: "custom", upsample: "DUPLICATE" }, true)).toEqual({ upsample: "DUPLICATE", upsample_ratio: 1 });
    expect(balanceSpec({ ...defaultBalance, mode: "custom" }, true)).toBeNull();
  });
  it("the imbalance ratio", () => {
    expect(imbalanceRatio([{ label: "no", count: 2850, fraction: 0.855 }, { label: "yes", count: 483, fraction: 0.145 }])).toBeCloseTo(5.9006, 3);
    expect(imbalanceRatio([{ label: "a", count: 3, fraction: 1 }])).toBeNull();
  });
});
