// Chart.js with only the pieces the console draws (tree-shaken): line, scatter-with-lines
// and bar charts on linear and category axes, with legend and tooltips. Charts never
// animate, so the end-to-end screenshots show them finished.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Legend, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

export const PALETTE = ["#2356c7", "#d9480f", "#1a7f37", "#8e44ad", "#b58100"];

// Draws `config` on a new canvas inside a sized box; the canvas gets `label` for screen
// readers (a chart's numbers are also in a table next to it).
export function chartBox(label: string, config: ChartConfiguration): { box: HTMLElement; chart: Chart } {
  const box = document.createElement("div");
  box.className = "chart-box";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  box.appendChild(canvas);
  const chart = new Chart(canvas, config);
  return { box, chart };
}
