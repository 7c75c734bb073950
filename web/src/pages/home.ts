// The landing page: what the workspace holds and where to start.
import { api } from "../api";
import { h, replace } from "../dom";
import { Page } from "../router";

interface ModelList {
  models: Array<{ name: string }>;
}

export const homePage: Page = async (root) => {
  const models = await api<ModelList>("/v1/models");
  replace(
    root,
    h("h1", {}, "Strata console"),
    h("p", {}, "Upload data, press Train, see why, deploy, predict."),
    h("ol", { class: "steps" },
      h("li", {}, h("a", { href: "#/datasets" }, "Upload a dataset"), " (CSV or JSON Lines)"),
      h("li", {}, h("a", { href: "#/train" }, "Train a model"), " with AutoML or a model type of your choice"),
      h("li", {}, h("a", { href: "#/models" }, "See its metrics"), ", deploy it, and predict"),
      h("li", {}, h("a", { href: "#/sql" }, "Open the SQL notebook"), " for BigQuery ML statements"),
    ),
    h("p", {}, `${models.models.length} model(s) in this workspace.`),
  );
};
