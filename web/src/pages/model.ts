// The model page: metrics, the confusion matrix at a threshold the user moves (precision,
// recall and F1 follow live, from the stored ROC counts), ROC / precision-recall /
// calibration plots, feature importance, the training curve, versions and aliases, and a
// Deploy button that points the `production` alias at the version shown.
import { api } from "../api";
import { h, replace } from "../dom";
import { Page } from "../router";
import { chartBox, PALETTE } from "../charts";
import { heatColor, textColor } from "../lib/heatmap";
import { metricsAt, precisionRecallPoints, RocPoint } from "../lib/threshold";
import { formatNumber } from "../lib/format";
import { actionButton, rowsTable } from "../widgets";

export interface VersionDetail {
  name: string;
  version: number;
  model_type: string;
  task: string;
  label: string;
  classes: string[];
  inputs: Array<{ name: string; type: string }>;
  metrics: Record<string, unknown>;
  threshold: number | null;
  eval_summary: {
    labels?: string[];
    per_class?: Array<{ label: string; precision: number | null; recall: number | null; f1_score: number | null; support: number }>;
    confusion_matrix?: number[][];
    roc_curve?: RocPoint[];
    calibration?: Array<{ lower: number; upper: number; mean_predicted: number | null; fraction_positive: number | null; count: number }>;
  };
  feature_importance: Array<{ feature: string; importance_weight: number; importance_gain: number; importance_cover: number }>;
  global_explain: Array<{ feature: string; attribution: number }> | null;
  training_info: Array<{ iteration: number; loss: number | null; eval_loss: number | null }>;
  train_spec: { source?: string };
}

interface ModelInfo {
  name: string;
  latest_version: number;
  versions: Array<{ version: number; model_type: string; created_at: string }>;
  aliases: Array<{ alias: string; version: number; set_at: string }>;
}

const DEPLOY_ALIAS = "production";

// The confusion matrix as a heat-map table: rows are the true class, columns the predicted.
export function confusionTable(labels: string[], matrix: number[][]): HTMLElement {
  const max = Math.max(0, ...matrix.flat());
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "confusion", "data-testid": "confusion-matrix" },
      h("caption", {}, "Confusion matrix (rows: true class, columns: predicted class)"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "true \\ predicted"), labels.map((l) => h("th", { scope: "col", class: "num" }, l)))),
      h(
        "tbody",
        {},
        matrix.map((row, i) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, labels[i] ?? String(i)),
            row.map((v, j) =>
              h("td", { class: "num heat", "data-cell": `${i}-${j}`, style: { background: heatColor(v, max), color: textColor(v, max) } }, String(v)),
            ),
          ),
        ),
      ),
    ),
  );
}

function metricsSection(v: VersionDetail): HTMLElement {
  const flat = Object.entries(v.metrics).filter(([, x]) => typeof x !== "object" || x === null);
  const perClass = v.eval_summary.per_class ?? [];
  return h(
    "section",
    { class: "card", "aria-labelledby": "metrics-h" },
    h("h2", { id: "metrics-h" }, "Metrics"),
    h("p", { class: "help" }, `Evaluated on the ${String(v.metrics.evaluated_on ?? "evaluation split")}.`),
    rowsTable("Evaluation metrics", ["metric", "value"], flat.map(([k, x]) => ({ metric: k, value: x }))),
    perClass.length ? rowsTable("Per-class metrics", ["label", "precision", "recall", "f1_score", "support"], perClass) : null,
  );
}

// The threshold slider with live metrics and matrix (binary classifiers).
function thresholdSection(v: VersionDetail, onChange: (t: number) => void): HTMLElement {
  const curve = v.eval_summary.roc_curve ?? [];
  const labels = v.eval_summary.labels ?? v.classes;
  const stored = v.threshold ?? 0.5;
  const slider = h("input", { type: "range", id: "threshold", min: "0", max: "1", step: "0.01", value: String(stored), "aria-describedby": "threshold-help" });
  const shown = h("output", { for: "threshold", id: "threshold-value" }, stored.toFixed(2));
  const numbers = h("div", { class: "threshold-metrics", "aria-live": "polite" });
  const matrixBox = h("div");
  // At the stored threshold the page shows the stored evaluation exactly (the slider's
  // 0.01 steps and the thinned curve could land next to it); elsewhere the curve's counts.
  const exact = v.eval_summary.confusion_matrix;
  let atStored = true;
  const update = (): void => {
    const t = atStored ? stored : Number(slider.value);
    shown.textContent = atStored ? `${formatNumber(stored)} (stored)` : t.toFixed(2);
    const m = metricsAt(curve, t);
    if (!m) return;
    const item = (name: string, key: string, value: unknown) => h("div", { class: "kpi" }, h("span", { class: "kpi-name" }, name), h("span", { class: "kpi-value", "data-testid": `thr-${key}` }, formatNumber(value)));
    const x = atStored ? { precision: v.metrics.precision, recall: v.metrics.recall, f1: v.metrics.f1_score, accuracy: v.metrics.accuracy } : m;
    replace(numbers, item("precision", "precision", x.precision), item("recall", "recall", x.recall), item("F1", "f1", x.f1), item("accuracy", "accuracy", x.accuracy));
    replace(matrixBox, confusionTable(labels, atStored && exact?.length === 2 ? exact : m.matrix));
    onChange(t);
  };
  slider.addEventListener("input", () => {
    atStored = false;
    update();
  });
  const reset = h("button", {
    type: "button",
    onclick: () => {
      slider.value = String(stored);
      atStored = true;
      update();
    },
  }, `Back to the stored threshold (${formatNumber(stored)})`);
  update();
  return h(
    "section",
    { class: "card", "aria-labelledby": "threshold-h" },
    h("h2", { id: "threshold-h" }, "Decision threshold"),
    h("label", { for: "threshold" }, "Threshold on P(", labels[1] ?? "positive", ")"),
    h("div", { class: "slider-row" }, slider, shown, reset),
    h("p", { class: "help", id: "threshold-help" }, `Rows scoring at least the threshold are predicted "${labels[1] ?? "positive"}". The model predicts with ${formatNumber(stored)}, chosen on the evaluation split; moving the slider shows what another threshold would do on the same rows.`),
    numbers,
    matrixBox,
  );
}

function lineChart(label: string, datasets: Array<{ label: string; data: Array<{ x: number; y: number }>; dashed?: boolean; point?: boolean }>, x: string, y: string) {
  return chartBox(label, {
    type: "scatter",
    data: {
      datasets: datasets.map((d, i) => ({
        label: d.label,
        data: d.data,
        showLine: !d.point,
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderDash: d.dashed ? [5, 4] : undefined,
        pointRadius: d.point ? 6 : 0,
        borderWidth: 2,
      })),
    },
    options: { scales: { x: { title: { display: true, text: x }, min: 0, max: 1 }, y: { title: { display: true, text: y }, min: 0, max: 1 } } },
  });
}

function chartCard(title: string, ...children: Array<Node | null>): HTMLElement {
  return h("section", { class: "card chart-card" }, h("h2", {}, title), ...children);
}

function importanceChart(v: VersionDetail): HTMLElement | null {
  const useGlobal = Array.isArray(v.global_explain) && v.global_explain.length > 0;
  const items = useGlobal
    ? v.global_explain!.map((g) => ({ feature: g.feature, value: g.attribution }))
    : v.feature_importance.map((f) => ({ feature: f.feature, value: f.importance_gain }));
  if (items.length === 0) return null;
  const top = [...items].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, 15);
  const what = useGlobal ? "mean |attribution| (ML.GLOBAL_EXPLAIN)" : v.model_type.includes("TREE") || v.model_type.includes("FOREST") ? "gain (ML.FEATURE_IMPORTANCE)" : "|coefficient| on standardised features";
  const { box } = chartBox(`Feature importance: ${what}`, {
    type: "bar",
    data: { labels: top.map((t) => t.feature), datasets: [{ label: what, data: top.map((t) => t.value), backgroundColor: PALETTE[0] }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } } },
  });
  box.classList.add("tall");
  return chartCard("Feature importance", h("p", { class: "help" }, `Top ${top.length} by ${what}.`), box);
}

function trainingChart(v: VersionDetail): HTMLElement | null {
  const info = Array.isArray(v.training_info) ? v.training_info : [];
  if (info.length < 2) return null;
  const series = (key: "loss" | "eval_loss") => info.filter((r) => typeof r[key] === "number").map((r) => ({ x: r.iteration, y: r[key] as number }));
  const datasets = [
    { label: "training loss", data: series("loss") },
    { label: "evaluation loss", data: series("eval_loss") },
  ].filter((d) => d.data.length > 0);
  const { box } = chartBox("Training curve: loss by iteration", {
    type: "scatter",
    data: { datasets: datasets.map((d, i) => ({ ...d, showLine: true, pointRadius: 0, borderWidth: 2, borderColor: PALETTE[i], backgroundColor: PALETTE[i] })) },
    options: { scales: { x: { title: { display: true, text: "iteration" } }, y: { title: { display: true, text: "loss" } } } },
  });
  return chartCard("Training curve", box);
}

function versionsSection(model: ModelInfo, current: number, name: string): HTMLElement {
  const aliasesOf = (version: number) => model.aliases.filter((a) => a.version === version).map((a) => a.alias).join(", ");
  const table = rowsTable(
    "Versions",
    ["version", "type", "created", "aliases"],
    [...model.versions].reverse().map((x) => ({ version: x.version, type: x.model_type, created: x.created_at, aliases: aliasesOf(x.version) })),
  );
  table.querySelectorAll("tbody tr").forEach((tr) => {
    const td = tr.firstElementChild as HTMLElement;
    const version = Number(td.textContent);
    replace(td, version === current ? h("strong", {}, `${version} (shown)`) : h("a", { href: `#/models/${encodeURIComponent(name)}?version=${version}` }, String(version)));
  });
  return h("section", { class: "card", "aria-labelledby": "versions-h" }, h("h2", { id: "versions-h" }, "Versions and aliases"), table);
}

export const modelPage: Page = async (root, params, query) => {
  const name = params.name;
  const base = `/v1/models/${encodeURIComponent(name)}`;
  const model = await api<ModelInfo>(base);
  const version = query.get("version") ?? String(model.latest_version);
  const v = await api<VersionDetail>(`${base}/versions/${encodeURIComponent(version)}`);
  const isBinary = v.task === "classification" && v.classes.length === 2 && (v.eval_summary.roc_curve?.length ?? 0) > 0;

  const aliasLine = h("p", { class: "aliases", "data-testid": "aliases" });
  const showAliases = (): void => {
    replace(
      aliasLine,
      "Aliases: ",
      model.aliases.length ? model.aliases.map((a) => h("span", { class: "badge", "data-alias": a.alias }, `${a.alias} → v${a.version}`)) : h("span", { class: "muted" }, "none"),
    );
  };
  showAliases();
  const deployStatus = h("div", { "aria-live": "polite" });
  const production = () => model.aliases.find((a) => a.alias === DEPLOY_ALIAS);
  const deploy = actionButton(`Deploy version ${v.version} to ${DEPLOY_ALIAS}`, { class: "primary", id: "deploy" }, deployStatus, async () => {
    const res = await api<{ version: number; previous_version: number | null }>(`${base}/aliases/${DEPLOY_ALIAS}`, { method: "PUT", body: { version: v.version } });
    const refreshed = await api<ModelInfo>(base);
    model.aliases = refreshed.aliases;
    showAliases();
    replace(deployStatus, h("p", { class: "ok", role: "status" }, `${DEPLOY_ALIAS} now serves version ${res.version}`, res.previous_version ? ` (was ${res.previous_version}).` : "."));
  });
  if (production()?.version === v.version) deployStatus.append(h("p", { class: "muted" }, `This version is ${DEPLOY_ALIAS} already.`));

  const header = h(
    "div",
    { class: "model-head" },
    h("h1", {}, name, h("span", { class: "muted" }, ` · version ${v.version}`)),
    h("p", {}, `${v.model_type} · ${v.task}${v.label ? ` of “${v.label}”` : ""}${v.train_spec?.source ? ` · trained on ${v.train_spec.source}` : ""}`),
    aliasLine,
    h("div", { class: "actions start" }, deploy, h("a", { class: "button", href: `#/models/${encodeURIComponent(name)}/predict?version=${v.version}` }, "Predict with this version")),
    deployStatus,
  );

  const charts: HTMLElement[] = [];
  let onThreshold: (t: number) => void = () => {};
  const curve = v.eval_summary.roc_curve ?? [];
  if (isBinary) {
    const roc = curve.filter((p) => p.recall !== null && p.false_positive_rate !== null).map((p) => ({ x: p.false_positive_rate as number, y: p.recall as number }));
    const { box, chart } = lineChart(
      "ROC curve: true positive rate against false positive rate",
      [
        { label: `ROC (AUC ${formatNumber(v.metrics.roc_auc)})`, data: roc },
        { label: "chance", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], dashed: true },
        { label: "threshold", data: [], point: true },
      ],
      "false positive rate",
      "true positive rate (recall)",
    );
    onThreshold = (t) => {
      const m = metricsAt(curve, t);
      if (!m) return;
      chart.data.datasets[2].data = [{ x: m.point.false_positive_rate ?? 0, y: m.point.recall ?? 0 }];
      chart.update("none");
    };
    charts.push(chartCard("ROC curve", box));
    charts.push(chartCard("Precision-recall curve", lineChart("Precision against recall", [{ label: `PR (AUC ${formatNumber(v.metrics.pr_auc)})`, data: precisionRecallPoints(curve) }], "recall", "precision").box));
    const bins = (v.eval_summary.calibration ?? []).filter((b) => b.count > 0 && b.mean_predicted !== null && b.fraction_positive !== null);
    if (bins.length) {
      charts.push(
        chartCard(
          "Calibration",
          lineChart(
            "Calibration: observed share of positives against mean predicted probability, by bin",
            [
              { label: "model", data: bins.map((b) => ({ x: b.mean_predicted as number, y: b.fraction_positive as number })) },
              { label: "perfectly calibrated", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], dashed: true },
            ],
            "mean predicted probability",
            "fraction of positives",
          ).box,
          h("p", { class: "help" }, `Brier score ${formatNumber(v.metrics.brier_score)}.`),
        ),
      );
    }
  }
  const importance = importanceChart(v);
  if (importance) charts.push(importance);
  const training = trainingChart(v);
  if (training) charts.push(training);

  const matrix = v.eval_summary.confusion_matrix;
  replace(
    root,
    header,
    metricsSection(v),
    isBinary
      ? thresholdSection(v, (t) => onThreshold(t))
      : matrix && matrix.length
        ? h("section", { class: "card" }, h("h2", {}, "Confusion matrix"), confusionTable(v.eval_summary.labels ?? v.classes, matrix))
        : null,
    h("div", { class: "grid charts" }, charts),
    versionsSection(model, v.version, name),
  );
  // The threshold marker is drawn once the ROC chart exists.
  if (isBinary) onThreshold(v.threshold ?? 0.5);
};
