// What the model, predict and SQL pages add to ui.ts: tables from rows keyed by column,
// downloads that carry the API token, and buttons that run an async action and show its
// error in place (a failed action never blanks the page).
import { authHeaders, errorFromResponse } from "./api";
import { h } from "./dom";
import { dataTable, errorView } from "./ui";

// A table of `rows` (objects keyed by column) under `columns`; JSON values (arrays and
// structs, such as predicted_<label>_probs) shown as JSON text.
export function rowsTable(caption: string, columns: string[], rows: Array<Record<string, unknown>>): HTMLElement {
  const cell = (v: unknown): unknown => (typeof v === "object" && v !== null ? JSON.stringify(v) : v);
  return dataTable(caption, columns, rows.map((r) => columns.map((c) => cell(r[c]))));
}

// Fetches `path` with the token and saves the answer as `filename`.
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await errorFromResponse(res);
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A button that runs an async action, disabled while it runs, with errors shown in `status`.
export function actionButton(text: string, attrs: Record<string, unknown>, status: HTMLElement, action: () => Promise<void>): HTMLButtonElement {
  const button = h("button", { type: "button", ...attrs }, text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.replaceChildren();
    try {
      await action();
    } catch (e) {
      status.replaceChildren(errorView(e));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
