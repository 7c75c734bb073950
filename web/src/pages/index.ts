// Every page of the console and the hash path it answers to; the first match wins.
import { Route } from "../router";
import { homePage } from "./home";
import { datasetsPage } from "./datasets";
import { datasetPage } from "./dataset";
import { trainPage } from "./train";
import { jobsPage } from "./jobs";
import { jobPage } from "./job";
import { modelPage } from "./model";
import { modelsPage } from "./models";
import { predictPage } from "./predict";
import { sqlPage } from "./sql";

export const routes: Route[] = [
  { pattern: "/", page: homePage, title: "Home" },
  { pattern: "/datasets", page: datasetsPage, title: "Datasets" },
  { pattern: "/datasets/:name", page: datasetPage, title: "Dataset" },
  { pattern: "/train", page: trainPage, title: "Train" },
  { pattern: "/jobs", page: jobsPage, title: "Jobs" },
  { pattern: "/jobs/:id", page: jobPage, title: "Job" },
  { pattern: "/models", page: modelsPage, title: "Models" },
  { pattern: "/models/:name", page: modelPage, title: "Model" },
  { pattern: "/models/:name/predict", page: predictPage, title: "Predict" },
  { pattern: "/sql", page: sqlPage, title: "SQL notebook" },
];
