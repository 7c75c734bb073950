// Small building blocks shared by the pages: labelled fields, alerts, tables.
import { ApiError } from "./api";
import { Child, h, replace } from "./dom";
import { formatNumber } from "./lib/format";

let nextId = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++nextId}`;
}

// A label, the control and an optional help line, tied together by for/id and
// aria-describedby so screen readers read the help with the control.
export function field(label: string, control: HTMLElement, help?: Child): HTMLElement {
  if (!control.id) control.id = uid("f");
  const helpEl = help ? h("p", { class: "help", id: `${control.id}-help` }, help) : null;
  if (helpEl) control.setAttribute("aria-describedby", helpEl.id);
  if (control instanceof HTMLInputElement && control.type === "checkbox") {
    return h("div", { class: "field checkbox" }, h("label", { for: control.id }, control, " ", label), helpEl);
  }
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, helpEl);
}

// An error as a readable alert: the server's code, message and details (never a blank page).
export function errorView(error: unknown): HTMLElement {
  const e = error instanceof ApiError ? error : null;
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", {}, e ? `${e.code}${e.status ? ` (HTTP ${e.status})` : ""}` : "Error"),
    h("p", {}, e ? e.message : String((error as Error)?.message ?? error)),
    e?.details && Object.keys(e.details as object).length ? h("pre", {}, JSON.stringify(e.details, null, 2)) : null,
  );
}

// Shows an error in `box`, or clears it.
export function showAlert(box: HTMLElement, error: unknown): void {
  if (error) replace(box, errorView(error));
  else replace(box);
}

// A table of rows (arrays of cells); numbers right-aligned and formatted.
export function dataTable(caption: string, headers: string[], rows: unknown[][]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      {},
      h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h(
            "tr",
            {},
            r.map((c) =>
              c instanceof Node ? h("td", {}, c) : h("td", { class: typeof c === "number" ? "num" : "" }, c === null ? h("span", { class: "muted" }, "null") : formatNumber(c)),
            ),
          ),
        ),
      ),
    ),
  );
}
