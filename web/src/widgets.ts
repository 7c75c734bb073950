// Small pieces the model, predict and SQL pages share: an inline error message (a failed
// action never blanks the page), number formatting, tables from rows, and downloads that
// carry the API token.
import { ApiError, authHeaders, errorFromResponse } from "./api";
import { Child, h } from "./dom";

// An alert box for an error from an action (the page around it stays).
export function errorBox(error: unknown): HTMLElement {
  const e = error instanceof ApiError ? error : null;
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", {}, e ? `${e.code}${e.status ? ` (HTTP ${e.status})` : ""}` : "Error"),
    h("pre", { class: "error-message" }, e ? e.message : String((error as Error)?.message ?? error)),
  );
}

// A metric for display: 4 significant digits, "—" for null (undefined metrics).
export function fmtNumber(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

// A table of `rows` under `columns`; numbers right-aligned.
export function dataTable(columns: string[], rows: Array<Record<string, unknown>>, caption?: string): HTMLElement {
  const cell = (v: unknown): Child => (typeof v === "object" && v !== null ? JSON.stringify(v) : fmtNumber(v));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        rows.map((r) => h("tr", {}, columns.map((c) => h("td", { class: typeof r[c] === "number" ? "num" : "" }, cell(r[c]))))),
      ),
    ),
  );
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
      status.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
