// Every page of the console and the hash path it answers to; the first match wins.
import { Route } from "../router";
import { homePage } from "./home";
import { modelPage } from "./model";
import { modelsPage } from "./models";
import { predictPage } from "./predict";
import { sqlPage } from "./sql";

export const routes: Route[] = [
  { pattern: "/", page: homePage, title: "Home" },
  { pattern: "/models", page: modelsPage, title: "Models" },
  { pattern: "/models/:name", page: modelPage, title: "Model" },
  { pattern: "/models/:name/predict", page: predictPage, title: "Predict" },
  { pattern: "/sql", page: sqlPage, title: "SQL notebook" },
];
