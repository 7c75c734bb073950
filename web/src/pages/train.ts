// Train: a dataset and its label (the task is detected from the data and shown), AutoML with
// a time budget or a model type with its options — each generated from the option
// declarations (GET /v1/model-types) with its help, range and client-side checks — and the
// imbalance handling; Train submits a job and opens its page.
import { api, ApiError } from "../api";
import { h, replace } from "../dom";
import { BalanceChoice, balanceSpec, defaultBalance } from "../lib/balance";
import { datasetNameError, formatPercent } from "../lib/format";
import { collectOptions, inputSpec, ModelTypes, OptionDecl, rangeText, typesForTask } from "../lib/options";
import { Profile } from "../lib/profile";
import { Page } from "../router";
import { field, showAlert, uid } from "../ui";

interface DatasetList {
  datasets: Array<{ name: string; rows: number; columns: number }>;
}
interface DatasetInfo {
  name: string;
  rows: number;
  columns: Array<{ name: string; type: string }>;
}

// One input per declared option; returns the container and a reader of the raw values.
export function optionFields(decls: OptionDecl[]): { element: HTMLElement; read: () => Record<string, string | boolean> } {
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const fields = decls.map((decl) => {
    const spec = inputSpec(decl);
    let control: HTMLInputElement | HTMLSelectElement;
    if (spec.kind === "checkbox") {
      control = h("input", { type: "checkbox", name: decl.name });
      control.checked = decl.default === true;
    } else if (spec.kind === "select") {
      control = h("select", { name: decl.name }, (spec.choices ?? []).map((c) => h("option", { value: c }, c)));
      if (typeof decl.default === "string") control.value = decl.default;
    } else {
      control = h("input", { type: spec.kind === "number" ? "number" : "text", name: decl.name, placeholder: spec.placeholder ?? "", step: spec.step, min: spec.min, max: spec.max, autocomplete: "off" });
    }
    inputs.set(decl.name, control);
    const def = decl.default === null || decl.default === undefined ? "no default" : `default ${JSON.stringify(decl.default)}`;
    return field(decl.name, control, `${decl.help} (${rangeText(decl)}; ${def})`);
  });
  return {
    element: h("div", { class: "option-grid" }, fields),
    read: () => {
      const raw: Record<string, string | boolean> = {};
      for (const [name, input] of inputs) raw[name] = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
      return raw;
    },
  };
}

function radio(name: string, value: string, label: string, checked: boolean): HTMLElement {
  const id = uid("r");
  return h("label", { for: id, class: "radio" }, h("input", { type: "radio", id, name, value, checked }), " ", label);
}

function checkedValue(form: HTMLFormElement, name: string): string {
  return (form.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value ?? "";
}

export const trainPage: Page = async (root, _params, query) => {
  const [datasets, types] = await Promise.all([api<DatasetList>("/v1/datasets"), api<ModelTypes>("/v1/model-types")]);
  if (datasets.datasets.length === 0) {
    replace(root, h("h1", {}, "Train a model"), h("p", {}, "No datasets yet. ", h("a", { href: "#/datasets" }, "Upload one"), " first."));
    return;
  }
  const datasetSel = h("select", { name: "dataset", required: true }, datasets.datasets.map((d) => h("option", { value: d.name }, d.name)));
  datasetSel.value = query.get("dataset") ?? datasets.datasets[0].name;
  const labelSel = h("select", { name: "label", required: true });
  const taskBox = h("div", { role: "status", "aria-live": "polite", class: "task" });
  const modelName = h("input", { type: "text", name: "model", required: true, autocomplete: "off", spellcheck: false });
  let modelNameEdited = false;
  modelName.addEventListener("input", () => (modelNameEdited = true));

  const budgetDecl = types.automl.options.find((o) => o.name === "budget_hours");
  const maxBudget = budgetDecl?.max ? budgetDecl.max * 3600 : 72 * 3600;
  const budget = h("input", { type: "number", name: "budget_seconds", min: 1, max: maxBudget, step: 1, value: "60" });
  const typeSel = h("select", { name: "model_type" });
  const optionsBox = h("div", {});
  let readOptions: () => Record<string, string | boolean> = () => ({});
  let currentDecls: OptionDecl[] = [];

  const balanceBox = h("fieldset", { class: "balance" });
  const errors = h("div", {});
  const submit = h("button", { type: "submit", class: "primary" }, "Train");

  let task: string | null = null;
  let imbalanced = false;

  const modeAutoml = radio("mode", "automl", "AutoML: try model types and settings within a time budget", true);
  const modeType = radio("mode", "type", "A model type with its options", false);
  const automlBox = h("div", { class: "mode-automl" }, field("Time budget (seconds)", budget, `AutoML stops within about 10% of it; at most ${maxBudget} s (${budgetDecl?.help ?? "budget"}).`));
  const typeBox = h("div", { class: "mode-type", hidden: true }, field("Model type", typeSel), h("details", { open: true }, h("summary", {}, "Options"), optionsBox));

  const form = h(
    "form",
    { class: "train-form", novalidate: true },
    h("section", { class: "card" }, h("h2", {}, "Data"), h("div", { class: "form-row" }, field("Dataset", datasetSel), field("Label column", labelSel, "the column to predict")), taskBox),
    h("section", { class: "card" }, h("h2", {}, "Model"), h("fieldset", {}, h("legend", {}, "How to choose the model"), modeAutoml, modeType), automlBox, typeBox),
    h("section", { class: "card" }, h("h2", {}, "Imbalanced classes"), balanceBox),
    h("section", { class: "card" }, field("Model name", modelName, "the name it is saved under; training again adds a version"), errors, h("div", { class: "actions" }, submit)),
  );
  replace(root, h("h1", {}, "Train a model"), form);

  const mode = () => checkedValue(form, "mode");

  const renderBalance = () => {
    const automl = mode() === "automl";
    if (task !== "classification") {
      replace(balanceBox, h("legend", {}, "Imbalance handling"), h("p", { class: "muted" }, task ? `Not needed: the label is ${task === "regression" ? "numeric (regression)" : task}.` : "Pick a label first."));
      return;
    }
    const by = (o: string) => types.common_options.find((d) => d.name === o);
    const ratioDecl = by("downsample_ratio");
    const smoteDecl = by("smote_k_neighbors");
    const upDecl = by("upsample_method");
    const custom = h(
      "div",
      { class: "balance-custom", hidden: true },
      field("Class weights", h("input", { type: "checkbox", name: "bal_weights" }), by("auto_class_weights")?.help),
      field("Explicit weights (optional)", h("input", { type: "text", name: "bal_explicit", placeholder: "yes=5, no=1", autocomplete: "off" }), by("class_weights")?.help),
      field("Downsample the majority class", h("input", { type: "checkbox", name: "bal_down" }), ratioDecl?.help),
      field("Downsample ratio", h("input", { type: "number", name: "bal_ratio", value: "1", min: ratioDecl?.min ?? 1, step: "any" }), ratioDecl ? rangeText(ratioDecl) : undefined),
      field("Upweight the kept rows", h("input", { type: "checkbox", name: "bal_upweight", checked: true }), by("downsample_upweight")?.help),
      field("Upsample the minority class", h("select", { name: "bal_up" }, (upDecl?.allowed ?? ["NONE", "DUPLICATE", "SMOTE", "SMOTE_NC"]).map((c) => h("option", { value: c }, c))), upDecl?.help),
      field("SMOTE neighbours", h("input", { type: "number", name: "bal_k", value: "5", min: smoteDecl?.min ?? 1, max: smoteDecl?.max ?? 100, step: 1 }), smoteDecl ? `${smoteDecl.help}; ${rangeText(smoteDecl)}` : undefined),
    );
    replace(
      balanceBox,
      h("legend", {}, "Imbalance handling"),
      imbalanced ? h("p", { class: "warning" }, "The label is imbalanced (see the dataset's class balance).") : h("p", { class: "muted" }, "The label's classes are reasonably balanced."),
      radio("balance", "auto", automl ? "Automatic (AutoML tries class weights and downsampling itself)" : "Automatic (class weights when the label is imbalanced)", true),
      radio("balance", "none", "None", false),
      automl ? null : radio("balance", "custom", "Choose: any combination of class weights, downsampling, upsampling / SMOTE", false),
      custom,
    );
  };
  balanceBox.addEventListener("change", () => {
    const custom = balanceBox.querySelector<HTMLElement>(".balance-custom");
    if (custom) custom.hidden = checkedValue(form, "balance") !== "custom";
  });

  const renderTypes = () => {
    const list = typesForTask(types.model_types, task);
    const previous = typeSel.value;
    replace(typeSel, list.map((t) => h("option", { value: t.model_type }, `${t.model_type} — ${t.summary}`)));
    if (list.some((t) => t.model_type === previous)) typeSel.value = previous;
    renderOptions();
  };
  const renderOptions = () => {
    const t = types.model_types.find((x) => x.model_type === typeSel.value);
    currentDecls = t?.options ?? [];
    const fields = optionFields(currentDecls);
    readOptions = fields.read;
    replace(optionsBox, currentDecls.length ? fields.element : h("p", { class: "muted" }, "This model type has no options."));
  };

  const loadLabel = async () => {
    task = null;
    imbalanced = false;
    const label = labelSel.value;
    if (!modelNameEdited) modelName.value = `${datasetSel.value}_${label}_model`.replace(/[^A-Za-z0-9_]/g, "_");
    replace(taskBox, h("p", { class: "muted" }, "Detecting the task…"));
    try {
      const p = await api<Profile>(`/v1/datasets/${encodeURIComponent(datasetSel.value)}/profile?label=${encodeURIComponent(label)}`);
      task = p.label?.task ?? null;
      imbalanced = !!p.label?.imbalanced;
      const classes = p.label?.classes ?? [];
      replace(
        taskBox,
        h("p", {}, h("strong", {}, "Task: ", task ?? "unknown"), task === "classification" ? ` — ${classes.length} classes: ${classes.map((c) => `${c.label} ${formatPercent(c.fraction)}`).join(", ")}` : " — a numeric label"),
      );
    } catch (e) {
      showAlert(taskBox, e);
    }
    renderTypes();
    renderBalance();
  };
  const loadDataset = async () => {
    const info = await api<DatasetInfo>(`/v1/datasets/${encodeURIComponent(datasetSel.value)}`);
    replace(labelSel, info.columns.map((c) => h("option", { value: c.name }, `${c.name} (${c.type})`)));
    const wanted = query.get("label");
    if (wanted && info.columns.some((c) => c.name === wanted)) labelSel.value = wanted;
    else labelSel.value = info.columns[info.columns.length - 1]?.name ?? "";
    await loadLabel();
  };

  datasetSel.addEventListener("change", () => {
    query.delete("label");
    loadDataset().catch((e) => showAlert(errors, e));
  });
  labelSel.addEventListener("change", () => void loadLabel());
  typeSel.addEventListener("change", renderOptions);
  form.querySelectorAll('input[name="mode"]').forEach((r) =>
    r.addEventListener("change", () => {
      automlBox.hidden = mode() !== "automl";
      typeBox.hidden = mode() !== "type";
      renderBalance();
    }),
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showAlert(errors, null);
    const problems: string[] = [];
    const name = modelName.value.trim();
    const nameProblem = datasetNameError(name);
    if (nameProblem) problems.push(`model name: ${nameProblem}`);
    const source = datasetSel.value;
    const label = labelSel.value;
    let body: Record<string, unknown>;
    if (mode() === "automl") {
      const seconds = Number(budget.value);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > maxBudget) problems.push(`time budget: expected a number of seconds in (0, ${maxBudget}]`);
      body = { type: "automl", model: name, spec: { source, label, budget_seconds: seconds } };
    } else {
      const { options, errors: optionErrors } = collectOptions(currentDecls, readOptions());
      problems.push(...optionErrors);
      const spec: Record<string, unknown> = { source, label, model_type: typeSel.value, options };
      if (task === "classification") {
        const choice: BalanceChoice = { ...defaultBalance, mode: (checkedValue(form, "balance") || "auto") as BalanceChoice["mode"] };
        if (choice.mode === "custom") {
          const val = (n: string) => (form.querySelector(`[name="${n}"]`) as HTMLInputElement | HTMLSelectElement).value;
          const on = (n: string) => (form.querySelector(`[name="${n}"]`) as HTMLInputElement).checked;
          choice.classWeights = on("bal_weights");
          choice.downsample = on("bal_down");
          choice.downsampleRatio = Number(val("bal_ratio"));
          choice.downsampleUpweight = on("bal_upweight");
          choice.upsample = val("bal_up") as BalanceChoice["upsample"];
          choice.smoteK = Number(val("bal_k"));
          const explicit = val("bal_explicit").trim();
          const weightsDecl = types.common_options.find((d) => d.name === "class_weights");
          if (explicit && weightsDecl) {
            const parsed = collectOptions([weightsDecl], { class_weights: explicit });
            problems.push(...parsed.errors);
            choice.explicitWeights = parsed.options.class_weights as Record<string, number> | undefined;
          }
          const ratioDecl = types.common_options.find((d) => d.name === "downsample_ratio");
          if (choice.downsample && ratioDecl) problems.push(...collectOptions([ratioDecl], { downsample_ratio: val("bal_ratio") }).errors);
        }
        const balance = balanceSpec(choice, imbalanced);
        if (balance) spec.balance = balance;
      }
      body = { type: "train", model: name, spec };
    }
    if (problems.length) {
      showAlert(errors, new ApiError(0, "INVALID_ARGUMENT", problems.join("; ")));
      return;
    }
    submit.disabled = true;
    try {
      const job = await api<{ id: string }>("/v1/jobs", { method: "POST", body });
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (e) {
      showAlert(errors, e);
    } finally {
      submit.disabled = false;
    }
  });

  await loadDataset();
};
