// Every page of the console and the hash path it answers to; the first match wins.
import { Route } from "../router";
import { homePage } from "./home";

export const routes: Route[] = [
  { pattern: "/", page: homePage, title: "Home" },
];
