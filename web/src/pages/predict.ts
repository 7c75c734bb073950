// The predict page: a form generated from the model's input schema that returns the
// prediction, the class probabilities and the top feature contributions; ready-to-copy curl
// commands for both prediction protocols; and batch prediction of an uploaded file
// (POST /v1/datasets → a predict job → download of the output table).
import { api, getToken } from "../api";
import { h, replace } from "../dom";
import { Cleanup, Page } from "../router";
import { curlV1, curlV2 } from "../lib/curl";
import { buildInstance, controlFor, InputField, toFieldText } from "../lib/form_values";
import { formatNumber } from "../lib/format";
import { errorView } from "../ui";
import { actionButton, download } from "../widgets";
import { VersionDetail } from "./model";

interface Prediction {
  [column: string]: unknown;
  top_feature_attributions?: Array<{ feature: string; attribution: number }>;
}

interface Job {
  id: string;
  state: string;
  progress?: { stage?: string; percent?: number };
  result?: { rows?: number; table?: string };
  error?: string;
}

const FINISHED = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
const TOP_CONTRIBUTIONS = 10;

// A workspace table name from a file name: letters, digits and '_'.
function tableNameFrom(file: string): string {
  const base = file.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
  return base || "upload";
}

function copyBlock(id: string, title: string, text: string): HTMLElement {
  const pre = h("pre", { id, tabindex: "0", "aria-label": title }, text);
  const status = h("span", { class: "muted", "aria-live": "polite" });
  const copy = h("button", {
    type: "button",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent ?? "");
        status.textContent = "copied";
      } catch {
        // No clipboard (an insecure origin): select the text for Ctrl+C instead.
        const range = document.createRange();
        range.selectNodeContents(pre);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
        status.textContent = "selected: press Ctrl+C";
      }
    },
  }, `Copy ${title}`);
  return h("div", { class: "copy-block" }, h("div", { class: "copy-head" }, h("h3", {}, title), copy, status), pre);
}

// Probabilities as labelled bars, most probable first.
function probabilityBars(probs: Array<{ label: unknown; prob: number }>): HTMLElement {
  const sorted = [...probs].sort((a, b) => b.prob - a.prob);
  return h(
    "ul",
    { class: "bars", "data-testid": "probabilities", "aria-label": "Class probabilities" },
    sorted.map((p) =>
      h("li", {}, h("span", { class: "bar-label" }, String(p.label)), h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: { width: `${(p.prob * 100).toFixed(1)}%` } })), h("span", { class: "bar-value" }, `${(p.prob * 100).toFixed(1)}%`)),
    ),
  );
}

// Contributions as bars to the right (raises the prediction) or left (lowers it).
function contributionBars(items: Array<{ feature: string; attribution: number }>): HTMLElement {
  const top = items.slice(0, TOP_CONTRIBUTIONS);
  const max = Math.max(1e-12, ...top.map((a) => Math.abs(a.attribution)));
  return h(
    "ul",
    { class: "bars contributions", "data-testid": "contributions", "aria-label": "Top feature contributions" },
    top.map((a) =>
      h(
        "li",
        {},
        h("span", { class: "bar-label" }, a.feature),
        h("span", { class: "bar-track two-sided" }, h("span", { class: a.attribution >= 0 ? "bar-fill pos" : "bar-fill neg", style: { width: `${((Math.abs(a.attribution) / max) * 50).toFixed(1)}%` } })),
        h("span", { class: "bar-value" }, (a.attribution >= 0 ? "+" : "") + formatNumber(a.attribution)),
      ),
    ),
  );
}

export const predictPage: Page = async (root, params, query) => {
  const name = params.name;
  const base = `/v1/models/${encodeURIComponent(name)}`;
  const model = await api<{ latest_version: number; versions: Array<{ version: number }>; aliases: Array<{ alias: string; version: number }> }>(base);
  const version = query.get("version") ?? String(model.latest_version);
  const v = await api<VersionDetail>(`${base}/versions/${encodeURIComponent(version)}`);
  const fields: InputField[] = v.inputs;
  let stopped = false;
  const cleanup: Cleanup = () => {
    stopped = true;
  };

  // Which version to use, by number or alias (links keep it in the address).
  const choice = h("select", { id: "predict-version", onchange: () => (location.hash = `#/models/${encodeURIComponent(name)}/predict?version=${encodeURIComponent(choice.value)}`) });
  for (const a of model.aliases) choice.append(h("option", { value: a.alias, selected: a.alias === version }, `${a.alias} (version ${a.version})`));
  for (const x of [...model.versions].reverse()) choice.append(h("option", { value: String(x.version), selected: String(x.version) === version }, `version ${x.version}`));

  // The form, one labelled control per input column.
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const formFields = fields.map((f) => {
    const id = `in-${f.name}`;
    const c = controlFor(f.type);
    const control =
      c.kind === "select"
        ? h("select", { id, name: f.name }, h("option", { value: "" }, "(missing)"), h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"))
        : h("input", { id, name: f.name, type: c.inputType, step: c.step, autocomplete: "off" });
    controls.set(f.name, control);
    return h("div", { class: "field" }, h("label", { for: id }, f.name, " ", h("span", { class: "type" }, f.type)), control);
  });
  const values = (): Record<string, string> => Object.fromEntries([...controls].map(([k, c]) => [k, c.value]));

  const curlBox = h("div", { class: "curl" });
  const showCurl = (): void => {
    const { instance } = buildInstance(fields, values());
    const target = { baseUrl: location.origin, model: name, version, token: getToken(), explain: true };
    replace(curlBox, copyBlock("curl-v1", "TF-Serving :predict", curlV1(target, instance)), copyBlock("curl-v2", "KServe v2 /infer", curlV2(target, fields, instance)));
  };

  const result = h("div", { class: "prediction", "aria-live": "polite", "data-testid": "prediction-result" });
  const predictPath = /^\d+$/.test(version) ? `${base}/versions/${version}:predict` : `${base}/labels/${encodeURIComponent(version)}:predict`;
  const predict = async (): Promise<void> => {
    const { instance, errors } = buildInstance(fields, values());
    if (errors.length) {
      replace(result, errorView(new Error(errors.join("\n"))));
      return;
    }
    const answer = await api<{ predictions: Prediction[]; model_version: string }>(predictPath, { body: { instances: [instance], explain: true } });
    const p = answer.predictions[0];
    const predicted = p[`predicted_${v.label}`];
    const probs = p[`predicted_${v.label}_probs`] as Array<{ label: unknown; prob: number }> | undefined;
    const contributions = p.top_feature_attributions ?? [];
    replace(
      result,
      h("h2", {}, "Prediction"),
      h("p", { class: "big" }, h("span", { class: "muted" }, `${v.label || "prediction"}: `), h("strong", { "data-testid": "predicted" }, predicted === undefined ? JSON.stringify(p) : formatNumber(predicted))),
      h("p", { class: "help" }, `Version ${answer.model_version}${typeof v.threshold === "number" ? `, decision threshold ${formatNumber(v.threshold)}` : ""}.`),
      probs ? [h("h3", {}, "Probabilities"), probabilityBars(probs)] : null,
      contributions.length ? [h("h3", {}, "Top feature contributions"), h("p", { class: "help" }, "What each input added to (or took from) this prediction's score, largest first."), contributionBars(contributions)] : null,
    );
  };
  const formStatus = h("div");
  const form = h(
    "form",
    {
      class: "predict-form",
      "aria-label": "Model inputs",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        submit.disabled = true;
        formStatus.replaceChildren();
        try {
          await predict();
        } catch (e) {
          replace(result, errorView(e));
        } finally {
          submit.disabled = false;
        }
      },
      oninput: showCurl,
      onchange: showCurl,
    },
    h("div", { class: "fields" }, formFields),
  );
  const submit = h("button", { type: "submit", class: "primary", id: "predict" }, "Predict");

  // Fills the form from a row of the training table (through /v1/sql, which needs admin).
  const source = v.train_spec?.source ?? "";
  let exampleRow = 0;
  const fill = /^[A-Za-z_][A-Za-z0-9_]*$/.test(source)
    ? actionButton(`Fill with a row of ${source}`, { id: "fill-example" }, formStatus, async () => {
        const cols = fields.map((f) => `"${f.name.replace(/"/g, '""')}"`).join(", ");
        const res = await api<{ results: Array<{ rows: Array<Record<string, unknown>> }> }>("/v1/sql", { body: { query: `SELECT ${cols} FROM "${source}" LIMIT 1 OFFSET ${exampleRow++}`, max_rows: 1 } });
        const row = res.results[0]?.rows?.[0];
        if (!row) throw new Error(`${source} has no more rows`);
        for (const [k, c] of controls) c.value = toFieldText(row[k]);
        showCurl();
      })
    : null;
  form.append(h("div", { class: "actions start" }, submit, fill), formStatus);
  showCurl();

  // Batch prediction: upload → job → download.
  const file = h("input", { type: "file", id: "batch-file", accept: ".csv,.tsv,.jsonl,.json,text/csv" });
  const inputTable = h("input", { id: "batch-input", value: `${name}_batch_input` });
  const outputTable = h("input", { id: "batch-output", value: `${name}_batch_output` });
  file.addEventListener("change", () => {
    if (file.files?.[0]) inputTable.value = tableNameFrom(file.files[0].name);
  });
  const batchStatus = h("div", { "aria-live": "polite", "data-testid": "batch-status" });
  const batchError = h("div");
  const batchVersion = /^\d+$/.test(version) ? Number(version) : model.aliases.find((a) => a.alias === version)?.version;
  const runBatch = actionButton("Upload and predict", { class: "primary", id: "batch-run" }, batchError, async () => {
    try {
      await batch();
    } catch (e) {
      batchStatus.replaceChildren();
      throw e;
    }
  });
  const batch = async (): Promise<void> => {
    const f = file.files?.[0];
    if (!f) throw new Error("choose a CSV or JSON Lines file first");
    replace(batchStatus, h("p", {}, `Uploading ${f.name} as table ${inputTable.value}…`));
    const uploaded = await api<{ name: string; rows: number }>(`/v1/datasets?name=${encodeURIComponent(inputTable.value)}&replace=true`, {
      method: "POST",
      body: f,
      headers: { "Content-Type": "application/octet-stream" },
    });
    replace(batchStatus, h("p", {}, `Uploaded ${uploaded.rows} rows; predicting…`));
    let job = await api<Job>("/v1/jobs", {
      body: { type: "predict", model: name, version: batchVersion, source: uploaded.name, output_table: outputTable.value, replace: true },
    });
    const progress = h("progress", { max: "100", value: "0", "aria-label": "Batch prediction progress" });
    const state = h("span", { "data-testid": "batch-state" }, job.state);
    replace(batchStatus, h("p", {}, `Job ${job.id}: `, state), progress);
    while (!FINISHED.has(job.state) && !stopped) {
      await new Promise((r) => setTimeout(r, 400));
      job = await api<Job>(`/v1/jobs/${encodeURIComponent(job.id)}`);
      state.textContent = job.state;
      if (typeof job.progress?.percent === "number") progress.value = job.progress.percent;
    }
    if (job.state !== "succeeded") throw new Error(`the prediction job ${job.state}${job.error ? `: ${job.error}` : ""}`);
    progress.value = 100;
    const table = outputTable.value;
    batchStatus.append(
      h("p", { role: "status" }, `Done: ${job.result?.rows ?? "all"} rows predicted into table ${table}. `),
      actionButton(`Download ${table}.csv`, { id: "batch-download" }, batchError, () => download(`/v1/datasets/${encodeURIComponent(table)}:download?format=csv`, `${table}.csv`)),
    );
  };

  replace(
    root,
    h("h1", {}, "Predict with ", h("a", { href: `#/models/${encodeURIComponent(name)}?version=${v.version}` }, name)),
    h("div", { class: "field inline" }, h("label", { for: "predict-version" }, "Version or alias"), choice),
    h("div", { class: "predict-layout" }, h("section", { class: "card", "aria-labelledby": "form-h" }, h("h2", { id: "form-h" }, "Inputs"), form), h("section", { class: "card" }, result)),
    h("section", { class: "card", "aria-labelledby": "curl-h" }, h("h2", { id: "curl-h" }, "The same request with curl"), h("p", { class: "help" }, getToken() ? "Set STRATA_TOKEN to your API token first." : "Add -H \"Authorization: Bearer $STRATA_TOKEN\" when the server runs with --auth."), curlBox),
    h(
      "section",
      { class: "card", "aria-labelledby": "batch-h" },
      h("h2", { id: "batch-h" }, "Batch prediction"),
      h("p", { class: "help" }, "Upload a file of rows (CSV or JSON Lines with the model's input columns); it is imported as a workspace table, predicted by a job into the output table, and offered as CSV. Both tables are replaced if they exist."),
      h("label", { for: "batch-file" }, "File"),
      file,
      h("div", { class: "two-fields" }, h("div", {}, h("label", { for: "batch-input" }, "Import as table"), inputTable), h("div", {}, h("label", { for: "batch-output" }, "Output table"), outputTable)),
      h("div", { class: "actions start" }, runBatch),
      batchError,
      batchStatus,
    ),
  );
  return cleanup;
};
