// Imbalance handling as the Train form offers it, turned into the TrainSpec's "balance"
// object (include/strata/train_spec.h); and the class-balance figures of a profile.

export interface BalanceChoice {
  mode: "none" | "auto" | "custom";
  classWeights: boolean; // custom: weight classes (automatic weights, or explicit ones)
  explicitWeights?: Record<string, number>; // custom with explicit per-label weights
  downsample: boolean;
  downsampleRatio: number; // keep at most ratio x minority rows of each larger class
  downsampleUpweight: boolean;
  upsample: "NONE" | "DUPLICATE" | "SMOTE" | "SMOTE_NC";
  upsampleRatio: number;
  smoteK: number;
}

export const defaultBalance: BalanceChoice = {
  mode: "auto",
  classWeights: false,
  downsample: false,
  downsampleRatio: 1,
  downsampleUpweight: true,
  upsample: "NONE",
  upsampleRatio: 1,
  smoteK: 5,
};

// The TrainSpec "balance" object, or null for none. "auto" applies BigQuery ML's automatic
// class weights when the label is imbalanced (the profile says so), and nothing otherwise.
export function balanceSpec(choice: BalanceChoice, imbalanced: boolean): Record<string, unknown> | null {
  if (choice.mode === "none") return null;
  if (choice.mode === "auto") return imbalanced ? { auto_class_weights: true } : null;
  const spec: Record<string, unknown> = {};
  if (choice.classWeights) {
    if (choice.explicitWeights && Object.keys(choice.explicitWeights).length > 0) {
      spec.class_weights = choice.explicitWeights;
    } else {
      spec.auto_class_weights = true;
    }
  }
  if (choice.downsample) {
    spec.downsample_ratio = choice.downsampleRatio;
    spec.downsample_upweight = choice.downsampleUpweight;
  }
  if (choice.upsample !== "NONE") {
    spec.upsample = choice.upsample;
    spec.upsample_ratio = choice.upsampleRatio;
    if (choice.upsample === "SMOTE" || choice.upsample === "SMOTE_NC") spec.smote_k_neighbors = choice.smoteK;
  }
  return Object.keys(spec).length > 0 ? spec : null;
}

export interface ClassShare {
  label: string;
  count: number;
  fraction: number;
}

// The imbalance ratio (largest class / smallest class), or null with fewer than 2 classes.
export function imbalanceRatio(classes: ClassShare[]): number | null {
  if (classes.length < 2) return null;
  const counts = classes.map((c) => c.count);
  const min = Math.min(...counts);
  return min > 0 ? Math.max(...counts) / min : Infinity;
}
