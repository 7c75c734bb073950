// Datasets: the workspace's tables, and uploading a CSV / TSV / JSON Lines file with a
// progress bar (streamed by the browser, so large files work).
import { api } from "../api";
import { h, replace } from "../dom";
import { datasetNameError, datasetNameFromFile, formatBytes, formatFromFile, formatNumber, formatPercent } from "../lib/format";
import { uploadDataset } from "../lib/upload";
import { Page } from "../router";
import { dataTable, field, showAlert } from "../ui";

interface DatasetList {
  datasets: Array<{ name: string; rows: number; columns: number }>;
}

function uploadForm(onDone: (name: string) => void): HTMLElement {
  const file = h("input", { type: "file", accept: ".csv,.tsv,.tab,.jsonl,.ndjson,.txt,text/csv,application/x-ndjson", required: true });
  const name = h("input", { type: "text", required: true, autocomplete: "off", spellcheck: false, pattern: "[A-Za-z_][A-Za-z0-9_]*" });
  const format = h("select", {}, ["auto", "csv", "tsv", "jsonl"].map((f) => h("option", { value: f }, f === "auto" ? "auto-detect" : f.toUpperCase())));
  const replaceBox = h("input", { type: "checkbox" });
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const errors = h("div", {});
  const button = h("button", { type: "submit", class: "primary" }, "Upload");
  let nameEdited = false;
  name.addEventListener("input", () => (nameEdited = true));
  file.addEventListener("change", () => {
    const f = file.files?.[0];
    if (!f) return;
    if (!nameEdited || !name.value) name.value = datasetNameFromFile(f.name);
    format.value = formatFromFile(f.name);
    status.textContent = `${f.name}: ${formatBytes(f.size)}`;
  });
  const form = h(
    "form",
    { class: "card upload", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title" }, "Upload a dataset"),
    h(
      "div",
      { class: "form-row" },
      field("File", file, "CSV, TSV or JSON Lines; types are inferred"),
      field("Dataset name", name, "letters, digits and _; defaults from the file name"),
      field("Format", format),
    ),
    field("Replace an existing dataset of this name", replaceBox),
    progress,
    status,
    errors,
    h("div", { class: "actions" }, button),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showAlert(errors, null);
    const f = file.files?.[0];
    if (!f) {
      showAlert(errors, new Error("choose a file to upload"));
      file.focus();
      return;
    }
    const nameError = datasetNameError(name.value.trim());
    if (nameError) {
      showAlert(errors, new Error(nameError));
      name.focus();
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    const started = performance.now();
    try {
      const result = await uploadDataset(
        { file: f, name: name.value.trim(), format: format.value, replace: replaceBox.checked },
        (sent, total) => {
          const fraction = total > 0 ? sent / total : 0;
          progress.value = Math.round(fraction * 100);
          status.textContent = fraction < 1
            ? `Uploading ${f.name}: ${formatBytes(sent)} of ${formatBytes(total)} (${formatPercent(fraction, 0)})`
            : `Uploaded ${formatBytes(total)}; reading and importing…`;
        },
      );
      progress.value = 100;
      status.textContent = `Imported ${result.name}: ${formatNumber(result.rows)} rows, ${result.columns.length} columns in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      onDone(result.name);
    } catch (e) {
      progress.hidden = true;
      status.textContent = "";
      showAlert(errors, e);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export const datasetsPage: Page = async (root) => {
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const errors = h("div", {});
  replace(root, h("h1", {}, "Datasets"), uploadForm((name) => (location.hash = `#/datasets/${encodeURIComponent(name)}`)), h("h2", {}, "In this workspace"), errors, list);
  const load = async () => {
    const data = await api<DatasetList>("/v1/datasets");
    if (data.datasets.length === 0) {
      replace(list, h("p", { class: "muted" }, "No datasets yet: upload one above."));
      return;
    }
    replace(
      list,
      dataTable(
        "Datasets",
        ["Name", "Rows", "Columns", ""],
        data.datasets.map((d) => [
          h("a", { href: `#/datasets/${encodeURIComponent(d.name)}` }, d.name),
          d.rows,
          d.columns,
          h(
            "span",
            { class: "row-actions" },
            h("a", { href: `#/train?dataset=${encodeURIComponent(d.name)}` }, "Train"),
            h(
              "button",
              {
                type: "button",
                class: "danger small",
                "aria-label": `Delete dataset ${d.name}`,
                onclick: async () => {
                  if (!confirm(`Delete the dataset ${d.name}?`)) return;
                  try {
                    await api(`/v1/datasets/${encodeURIComponent(d.name)}`, { method: "DELETE" });
                    await load();
                  } catch (e) {
                    showAlert(errors, e);
                  }
                },
              },
              "Delete",
            ),
          ),
        ]),
      ),
    );
  };
  await load();
};
