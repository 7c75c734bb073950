// Jobs: every job, newest first, with its state and progress; refreshed while any runs.
import { api } from "../api";
import { h, replace } from "../dom";
import { isFinished, Job, jobPercent, stepText } from "../lib/progress";
import { Page } from "../router";
import { dataTable } from "../ui";

export const jobsPage: Page = async (root) => {
  const list = h("div", {});
  replace(root, h("h1", {}, "Jobs"), list);
  let timer: number | undefined;
  const load = async () => {
    const { jobs } = await api<{ jobs: Job[] }>("/v1/jobs");
    if (jobs.length === 0) {
      replace(list, h("p", { class: "muted" }, "No jobs yet. ", h("a", { href: "#/train" }, "Train a model"), "."));
      return;
    }
    replace(
      list,
      dataTable(
        "Jobs",
        ["Job", "Type", "Model", "State", "Progress", "Created"],
        jobs.map((j) => [
          h("a", { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id),
          j.type,
          j.model,
          h("span", { class: `state state-${j.state}` }, j.state),
          isFinished(j) ? (j.state === "succeeded" ? "100%" : "") : `${jobPercent(j).toFixed(0)}% ${stepText(j)}`,
          j.created_at ?? "",
        ]),
      ),
    );
    if (jobs.some((j) => !isFinished(j))) timer = window.setTimeout(() => void load().catch(() => undefined), 2000);
  };
  await load();
  return () => window.clearTimeout(timer);
};
