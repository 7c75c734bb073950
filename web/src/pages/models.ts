// The model list: every registered model with its type, label and latest version.
import { api } from "../api";
import { h, replace } from "../dom";
import { Page } from "../router";
import { rowsTable } from "../widgets";

export interface ModelSummary {
  name: string;
  model_type: string;
  label: string;
  latest_version: number;
  versions: number;
  updated_at: string;
}

export const modelsPage: Page = async (root) => {
  const { models } = await api<{ models: ModelSummary[] }>("/v1/models");
  if (models.length === 0) {
    replace(root, h("h1", {}, "Models"), h("p", {}, "No models yet. ", h("a", { href: "#/train" }, "Train one"), " or run CREATE MODEL in the ", h("a", { href: "#/sql" }, "SQL notebook"), "."));
    return;
  }
  const table = rowsTable(
    "Models",
    ["model", "type", "label", "latest version", "versions", "updated"],
    models.map((m) => ({ model: m.name, type: m.model_type, label: m.label, "latest version": m.latest_version, versions: m.versions, updated: m.updated_at })),
  );
  // The model names become links to their pages.
  table.querySelectorAll("tbody tr").forEach((tr, i) => {
    const td = tr.firstElementChild!;
    replace(td as HTMLElement, h("a", { href: `#/models/${encodeURIComponent(models[i].name)}` }, models[i].name));
  });
  replace(root, h("h1", {}, "Models"), table);
};
