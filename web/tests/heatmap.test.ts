import { describe, expect, it } from "vitest";
import { heatColor, intensity, luminance, textColor } from "../src/lib/heatmap";

describe("heat map colours", () => {
  it("runs from white at 0 to the accent at the largest cell", () => {
    expect(heatColor(0, 10)).toBe("rgb(255, 255, 255)");
    expect(heatColor(10, 10)).toBe("rgb(35, 86, 199)");
    expect(heatColor(5, 10)).toBe("rgb(145, 171, 227)");
  });
  it("clamps and survives an all-zero matrix", () => {
    expect(intensity(20, 10)).toBe(1);
    expect(intensity(3, 0)).toBe(0);
    expect(intensity(-1, 10)).toBe(0);
  });
  it("picks the text colour with more contrast", () => {
    expect(textColor(0, 10)).toBe("#1d2330");
    expect(textColor(10, 10)).toBe("#ffffff");
    expect(luminance([255, 255, 255])).toBeCloseTo(1, 6);
    expect(luminance([0, 0, 0])).toBe(0);
  });
});
