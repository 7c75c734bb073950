// The colour scale of the confusion-matrix heat map: white for 0 to the accent blue for the
// largest cell, with a text colour that stays readable (WCAG contrast) on every shade.
const LOW: [number, number, number] = [255, 255, 255];
const HIGH: [number, number, number] = [35, 86, 199]; // --accent

// The share of the largest value, clamped to [0, 1]; 0 when max is 0.
export function intensity(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(1, value / max);
}

// The cell's background as "rgb(r, g, b)".
export function heatColor(value: number, max: number): string {
  const f = intensity(value, max);
  const c = LOW.map((lo, i) => Math.round(lo + (HIGH[i] - lo) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

// Relative luminance of an sRGB colour (WCAG 2.1).
export function luminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// Black or white text, whichever contrasts more with the cell's background.
export function textColor(value: number, max: number): string {
  const f = intensity(value, max);
  const bg = LOW.map((lo, i) => Math.round(lo + (HIGH[i] - lo) * f)) as [number, number, number];
  const l = luminance(bg);
  const contrastWhite = 1.05 / (l + 0.05);
  const contrastBlack = (l + 0.05) / 0.05;
  return contrastWhite > contrastBlack ? "#ffffff" : "#1d2330";
}
