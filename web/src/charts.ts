// Chart.js with only the parts the console uses (bars), registered once.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export { Chart };

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
