// One dataset: a preview of its rows, and its profile — a histogram per numeric column, top
// values per categorical one, missing values, warnings — and, for a chosen label, the class
// balance with the imbalance warning and its advice.
import { api } from "../api";
import { histogramChart } from "../charts";
import { h, replace } from "../dom";
import { imbalanceRatio } from "../lib/balance";
import { formatNumber, formatPercent } from "../lib/format";
import { ColumnProfile, edgeLabel, hasHistogram, labelCandidates, LabelProfile, missingFraction, Profile } from "../lib/profile";
import { Page } from "../router";
import { dataTable, field, showAlert } from "../ui";

interface Preview {
  columns: string[];
  types: string[];
  rows: unknown[][];
  offset: number;
  total_rows: number;
}

export function classBalance(label: LabelProfile): HTMLElement {
  const ratio = imbalanceRatio(label.classes);
  return h(
    "section",
    { class: "card class-balance", "aria-labelledby": "balance-title" },
    h("h2", { id: "balance-title" }, `Label ${label.column}: ${label.task}`),
    label.task === "classification"
      ? h(
          "ul",
          { class: "bars", "aria-label": "Class balance" },
          label.classes.map((c) =>
            h(
              "li",
              {},
              h("span", { class: "bar-label" }, c.label),
              h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "bar-fill", style: { width: `${(c.fraction * 100).toFixed(1)}%` } })),
              h("span", { class: "bar-value" }, `${formatNumber(c.count)} (${formatPercent(c.fraction)})`),
            ),
          ),
        )
      : h("p", {}, "A numeric label: the models will be regressors."),
    ratio !== null && ratio > 1 ? h("p", { class: "muted" }, `Largest class / smallest class: ${formatNumber(ratio)}`) : null,
    label.imbalanced || label.advice.length > 0
      ? h(
          "div",
          { class: "warning", role: "note" },
          h("strong", {}, label.imbalanced ? `Imbalanced: '${label.minority_label}' is ${formatPercent(label.minority_fraction)} of the rows` : "Advice"),
          h("ul", {}, label.advice.map((a) => h("li", {}, a))),
        )
      : null,
    label.nulls > 0 ? h("p", { class: "muted" }, `${formatNumber(label.nulls)} rows have no label and are left out of training.`) : null,
  );
}

function columnCard(c: ColumnProfile, rows: number): HTMLElement {
  const missing = missingFraction(c, rows);
  const stats = h(
    "dl",
    { class: "stats" },
    h("dt", {}, "Missing"),
    h("dd", { class: missing > 0 ? "has-missing" : "" }, `${formatNumber(c.nulls)} (${formatPercent(missing)})`),
    h("dt", {}, "Distinct"),
    h("dd", {}, formatNumber(c.distinct)),
    c.numeric ? [h("dt", {}, "Min / mean / max"), h("dd", {}, `${formatNumber(c.numeric.min)} / ${formatNumber(c.numeric.mean)} / ${formatNumber(c.numeric.max)}`)] : null,
  );
  let body: HTMLElement | null = null;
  if (hasHistogram(c)) {
    const edges = c.histogram!.edges;
    body = h("div", { class: "chart" }, histogramChart(c.name, edges, c.histogram!.counts, edgeLabel(edges[edges.length - 1] - edges[0])));
  } else if (c.top_values && c.top_values.length > 0) {
    const total = c.count || 1;
    body = h(
      "ul",
      { class: "bars small", "aria-label": `Top values of ${c.name}` },
      c.top_values.map((v) =>
        h(
          "li",
          {},
          h("span", { class: "bar-label" }, v.value),
          h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "bar-fill", style: { width: `${((100 * v.count) / total).toFixed(1)}%` } })),
          h("span", { class: "bar-value" }, formatNumber(v.count)),
        ),
      ),
    );
  }
  return h("article", { class: "card column-card", "data-column": c.name }, h("h3", {}, c.name, " ", h("span", { class: "type" }, c.type)), stats, body);
}

export const datasetPage: Page = async (root, params, query) => {
  const name = params.name;
  const enc = encodeURIComponent(name);
  const labelSelect = h("select", {}, h("option", { value: "" }, "(none)"));
  const profileBox = h("div", {}, h("p", { class: "muted" }, "Profiling…"));
  const errors = h("div", {});
  const trainLink = h("a", { class: "button primary", href: `#/train?dataset=${enc}` }, "Train a model on it");
  const previewBox = h("div", {});
  replace(
    root,
    h("h1", {}, `Dataset ${name}`),
    h("div", { class: "toolbar" }, field("Label column", labelSelect, "pick the column to predict to see its class balance"), trainLink),
    errors,
    profileBox,
    h("h2", {}, "Preview"),
    previewBox,
  );
  const render = async (label: string) => {
    const profile = await api<Profile>(`/v1/datasets/${enc}/profile${label ? `?label=${encodeURIComponent(label)}` : ""}`);
    if (labelSelect.options.length === 1) {
      for (const c of labelCandidates(profile)) labelSelect.appendChild(h("option", { value: c }, c));
      labelSelect.value = label;
    }
    trainLink.setAttribute("href", `#/train?dataset=${enc}${label ? `&label=${encodeURIComponent(label)}` : ""}`);
    replace(
      profileBox,
      h("p", {}, `${formatNumber(profile.rows)} rows, ${profile.columns.length} columns.`),
      profile.label ? classBalance(profile.label) : null,
      profile.warnings.length ? h("div", { class: "warning", role: "note" }, h("strong", {}, "Warnings"), h("ul", {}, profile.warnings.map((w) => h("li", {}, w)))) : null,
      h("h2", {}, "Columns"),
      h("div", { class: "grid columns" }, profile.columns.map((c) => columnCard(c, profile.rows))),
    );
  };
  labelSelect.addEventListener("change", () => {
    showAlert(errors, null);
    render(labelSelect.value).catch((e) => showAlert(errors, e));
  });
  const preview = api<Preview>(`/v1/datasets/${enc}/preview?limit=20`).then(
    (p) => replace(previewBox, h("p", { class: "muted" }, `First ${p.rows.length} of ${formatNumber(p.total_rows)} rows`), dataTable(`Rows of ${name}`, p.columns.map((c, i) => `${c} (${p.types[i]})`), p.rows)),
    (e) => showAlert(previewBox, e),
  );
  await render(query.get("label") ?? "");
  await preview;
};
