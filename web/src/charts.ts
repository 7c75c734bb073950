// Chart.js with only the parts the console uses (bars, lines, scatter plots with lines on
// linear and category axes), registered once. Charts never animate, so the end-to-end
// screenshots show them finished.
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

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

export { Chart };

export const PALETTE = ["#2356c7", "#d9480f", "#1a7f37", "#8e44ad", "#b58100"];

// Draws `config` on a new canvas inside a sized box (.chart-box); the canvas gets `label`
// for screen readers (a chart's numbers are also in a table next to it).
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

// A histogram from numpy-style edges (n + 1) and counts (n), into a new canvas with a text
// alternative for screen readers.
export function histogramChart(title: string, edges: number[], counts: number[], label: (x: number) => string): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Histogram of ${title}: ${counts.length} bins from ${label(edges[0])} to ${label(edges[edges.length - 1])}`);
  const labels = counts.map((_, i) => `${label(edges[i])}–${label(edges[i + 1])}`);
  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: "rows", data: counts, backgroundColor: "#5b84d6", barPercentage: 1, categoryPercentage: 1 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 5 } }, y: { beginAtZero: true } },
    },
  });
  return canvas;
}
