// The SQL notebook: cells of SQL (BigQuery ML statements included) run through POST
// /v1/sql, each statement's result as a table and, when it has a numeric column, a chart;
// notebooks are saved in the workspace (/v1/notebooks).
import type { Chart } from "chart.js";
import { api } from "../api";
import { h, replace } from "../dom";
import { Page } from "../router";
import { chartBox, PALETTE } from "../charts";
import { notebookNameError, parseNotebook, serializeNotebook, suggestName } from "../lib/notebook";
import { chooseChart, ResultColumn } from "../lib/result_chart";
import { errorView } from "../ui";
import { actionButton, rowsTable } from "../widgets";

interface SqlResult {
  statement: string;
  line: number;
  seconds: number;
  columns?: ResultColumn[];
  rows?: Array<Record<string, unknown>>;
  total_rows?: number;
  truncated?: boolean;
  message?: string;
}

// Rows a cell shows at most (the server counts the rest).
const MAX_ROWS = 1000;
const PLACEHOLDER = "SELECT * FROM ML.EVALUATE(MODEL my_model)";

interface Cell {
  root: HTMLElement;
  sql: HTMLTextAreaElement;
  output: HTMLElement;
  charts: Chart[];
  run: () => Promise<void>;
}

function resultView(r: SqlResult, charts: Chart[]): HTMLElement {
  const head = h("p", { class: "result-head muted" }, `line ${r.line} · ${r.seconds.toFixed(2)} s · ${r.statement.length > 90 ? `${r.statement.slice(0, 90)}…` : r.statement}`);
  if (r.message !== undefined || !r.columns) return h("div", { class: "result" }, head, h("p", { class: "message", role: "status" }, r.message ?? "done"));
  const rows = r.rows ?? [];
  const choice = chooseChart(r.columns, rows);
  let chart: HTMLElement | null = null;
  if (choice) {
    const made = chartBox(`Chart of the result: ${choice.series.map((s) => s.name).join(", ")} by ${choice.xTitle || "column"}`, {
      type: choice.kind,
      data: {
        labels: choice.labels,
        datasets: choice.series.map((s, i) => ({ label: s.name, data: s.values, backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], pointRadius: choice.kind === "line" ? 0 : undefined, borderWidth: choice.kind === "line" ? 2 : undefined })),
      },
      options: { plugins: { legend: { display: choice.series.length > 1 } }, scales: { x: { title: { display: !!choice.xTitle, text: choice.xTitle } } } },
    });
    charts.push(made.chart);
    chart = made.box;
    chart.dataset.testid = "result-chart";
  }
  return h(
    "div",
    { class: "result" },
    head,
    rowsTable(`Result of line ${r.line}`, r.columns.map((c) => c.name), rows),
    h("p", { class: "help" }, r.truncated ? `Showing ${rows.length} of ${r.total_rows} rows.` : `${r.total_rows ?? rows.length} row(s).`),
    chart,
  );
}

export const sqlPage: Page = async (root, _params, query) => {
  const opened = query.get("notebook");
  let initial = [""];
  if (opened) initial = parseNotebook((await api<{ content: unknown }>(`/v1/notebooks/${encodeURIComponent(opened)}`)).content);
  const { notebooks } = await api<{ notebooks: Array<{ name: string; cells: number; updated_at: string }> }>("/v1/notebooks");

  const cellsBox = h("div", { class: "cells" });
  const cells: Cell[] = [];
  const renumber = (): void => {
    cells.forEach((c, i) => {
      c.root.querySelector("label")!.textContent = `Cell ${i + 1}`;
      c.sql.id = `cell-${i + 1}`;
      c.root.querySelector("label")!.setAttribute("for", c.sql.id);
      c.root.dataset.cell = String(i + 1);
    });
  };
  const addCell = (sql: string, after?: Cell): Cell => {
    const textarea = h("textarea", { rows: 4, spellcheck: false, placeholder: PLACEHOLDER, "aria-keyshortcuts": "Control+Enter" });
    textarea.value = sql;
    const output = h("div", { class: "cell-output", "aria-live": "polite" });
    const cell: Cell = {
      root: h("section", { class: "card cell" }),
      sql: textarea,
      output,
      charts: [],
      run: async () => {
        for (const c of cell.charts) c.destroy();
        cell.charts = [];
        if (!textarea.value.trim()) {
          replace(output, h("p", { class: "muted" }, "Nothing to run."));
          return;
        }
        replace(output, h("p", { class: "muted" }, "Running…"));
        runButton.disabled = true;
        try {
          const res = await api<{ results: SqlResult[] }>("/v1/sql", { body: { query: textarea.value, max_rows: MAX_ROWS } });
          replace(output, res.results.length ? res.results.map((r) => resultView(r, cell.charts)) : h("p", { class: "muted" }, "No statements."));
        } catch (e) {
          replace(output, errorView(e));
        } finally {
          runButton.disabled = false;
        }
      },
    };
    const runButton = h("button", { type: "button", class: "primary", onclick: () => void cell.run() }, "Run");
    textarea.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void cell.run();
      }
    });
    const remove = h("button", {
      type: "button",
      onclick: () => {
        for (const c of cell.charts) c.destroy();
        cells.splice(cells.indexOf(cell), 1);
        cell.root.remove();
        if (cells.length === 0) addCell("");
        renumber();
      },
    }, "Delete cell");
    const below = h("button", { type: "button", onclick: () => addCell("", cell).sql.focus() }, "Add cell below");
    cell.root.append(h("label", {}, "Cell"), textarea, h("div", { class: "actions start" }, runButton, below, remove, h("span", { class: "help" }, "Ctrl+Enter runs the cell")), output);
    if (after) {
      after.root.after(cell.root);
      cells.splice(cells.indexOf(after) + 1, 0, cell);
    } else {
      cellsBox.append(cell.root);
      cells.push(cell);
    }
    renumber();
    return cell;
  };
  for (const sql of initial.length ? initial : [""]) addCell(sql);

  // The toolbar: name, save, open, run all.
  const nameInput = h("input", { id: "nb-name", value: opened ?? suggestName(initial), autocomplete: "off", "aria-describedby": "nb-status" });
  const status = h("div", { id: "nb-status", "aria-live": "polite" });
  const save = actionButton("Save", { id: "nb-save", class: "primary" }, status, async () => {
    const name = nameInput.value.trim();
    const bad = notebookNameError(name);
    if (bad) throw new Error(bad);
    const saved = await api<{ name: string; updated_at: string; cells: number }>(`/v1/notebooks/${encodeURIComponent(name)}`, { method: "PUT", body: serializeNotebook(cells.map((c) => c.sql.value)) });
    // Keep the address in step without re-rendering (results stay on screen).
    history.replaceState(null, "", `#/sql?notebook=${encodeURIComponent(saved.name)}`);
    replace(status, h("p", { class: "ok", role: "status" }, `Saved ${saved.cells} cell(s) as “${saved.name}” at ${saved.updated_at} UTC.`));
  });
  const openSelect = h(
    "select",
    { id: "nb-open", onchange: () => openSelect.value && (location.hash = `#/sql?notebook=${encodeURIComponent(openSelect.value)}`) },
    h("option", { value: "" }, notebooks.length ? "Open a saved notebook…" : "No saved notebooks"),
    notebooks.map((n) => h("option", { value: n.name, selected: n.name === opened }, `${n.name} (${n.cells} cells)`)),
  );
  const runAll = actionButton("Run all", { id: "nb-run-all" }, status, async () => {
    for (const c of cells) await c.run();
  });
  const addEnd = h("button", { type: "button", id: "nb-add", onclick: () => addCell("").sql.focus() }, "Add cell");
  const newNotebook = h("a", { class: "button", href: "#/sql" }, "New notebook");

  replace(
    root,
    h("h1", {}, "SQL notebook"),
    h("p", { class: "help" }, "Strata's SQL is BigQuery ML's dialect over the workspace: CREATE MODEL, ML.EVALUATE, ML.PREDICT, ML.ROC_CURVE… (docs/sql.md). Results with a numeric column get a chart."),
    h(
      "div",
      { class: "card toolbar" },
      h("div", { class: "field" }, h("label", { for: "nb-name" }, "Notebook name"), nameInput),
      h("div", { class: "actions start" }, save, runAll, addEnd),
      h("div", { class: "field" }, h("label", { for: "nb-open" }, "Saved notebooks"), openSelect),
      h("div", { class: "actions start" }, newNotebook),
      status,
    ),
    cellsBox,
  );
  return () => {
    for (const c of cells) for (const ch of c.charts) ch.destroy();
  };
};
