// Every page of the console and the hash path it answers to; the first match wins.
import { Route } from "../router";
import { homePage } from "./home";
import { datasetsPage } from "./datasets";
import { datasetPage } from "./dataset";
import { trainPage } from "./train";
import { jobsPage } from "./jobs";
import { jobPage } from "./job";

export const routes: Route[] = [
  { pattern: "/", page: homePage, title: "Home" },
  { pattern: "/datasets", page: datasetsPage, title: "Datasets" },
  { pattern: "/datasets/:name", page: datasetPage, title: "Dataset" },
  { pattern: "/train", page: trainPage, title: "Train" },
  { pattern: "/jobs", page: jobsPage, title: "Jobs" },
  { pattern: "/jobs/:id", page: jobPage, title: "Job" },
];
