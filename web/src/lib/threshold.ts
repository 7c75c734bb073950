// Metrics of a binary classifier at any decision threshold, from the ROC points the server
// stores (eval_summary.roc_curve: one point per distinct score, highest threshold first,
// each with its confusion counts). A row is predicted positive when its score >= threshold,
// so for a threshold t the counts are those of the point with the smallest threshold >= t.
export interface RocPoint {
  threshold: number;
  recall: number | null;
  false_positive_rate: number | null;
  precision?: number | null;
  true_positives: number;
  false_positives: number;
  true_negatives: number;
  false_negatives: number;
}

export interface ThresholdMetrics {
  threshold: number; // the threshold asked for
  point: RocPoint; // the curve point whose counts apply
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  // [true][predicted] with index 0 the negative class and 1 the positive one, as the
  // server's confusion_matrix.
  matrix: [[number, number], [number, number]];
}

// The curve point that applies at threshold t; null for an empty curve.
export function pointAt(curve: RocPoint[], t: number): RocPoint | null {
  let best: RocPoint | null = null;
  for (const p of curve) {
    if (p.threshold >= t && (best === null || p.threshold < best.threshold)) best = p;
  }
  // Above every threshold nothing is predicted positive: the point with the highest one.
  if (best === null) {
    for (const p of curve) if (best === null || p.threshold > best.threshold) best = p;
  }
  return best;
}

// Precision/recall/F1/accuracy and the confusion matrix at threshold t (scikit-learn's
// zero_division=0: precision is 0 when nothing is predicted positive).
export function metricsAt(curve: RocPoint[], t: number): ThresholdMetrics | null {
  const point = pointAt(curve, t);
  if (!point) return null;
  const tp = point.true_positives, fp = point.false_positives, tn = point.true_negatives, fn = point.false_negatives;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const total = tp + fp + tn + fn;
  return {
    threshold: t,
    point,
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1,
    accuracy: total > 0 ? (tp + tn) / total : 0,
    matrix: [
      [tn, fp],
      [fn, tp],
    ],
  };
}

// The precision-recall curve's points (recall on x), skipping points without a precision.
export function precisionRecallPoints(curve: RocPoint[]): Array<{ x: number; y: number }> {
  const out: Array<{ x: number; y: number }> = [];
  for (const p of curve) {
    const tp = p.true_positives, fp = p.false_positives, fn = p.false_negatives;
    const precision = p.precision ?? (tp + fp > 0 ? tp / (tp + fp) : null);
    const recall = p.recall ?? (tp + fn > 0 ? tp / (tp + fn) : null);
    if (precision === null || recall === null) continue;
    out.push({ x: recall, y: precision });
  }
  return out;
}
