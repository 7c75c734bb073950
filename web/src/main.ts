// The console's shell: navigation, the token dialog, error display, and hash routing to
// the pages in src/pages/.
import "./style.css";
import { ApiError, setTokenPrompt } from "./api";
import { h, replace } from "./dom";
import { errorView } from "./ui";
import { Cleanup, matchRoute, parseHash, Route } from "./router";
import { routes } from "./pages";

const nav: Array<[string, string]> = [
  ["#/datasets", "Datasets"],
  ["#/train", "Train"],
  ["#/jobs", "Jobs"],
  ["#/models", "Models"],
  ["#/sql", "SQL notebook"],
];

const main = h("main", { id: "main", tabindex: "-1" });
const navLinks = nav.map(([link, text]) => h("a", { href: link }, text));
const shell = h(
  "div",
  { class: "shell" },
  h("header", { class: "topbar" }, h("a", { class: "brand", href: "#/" }, "Strata"), h("nav", { "aria-label": "Main" }, navLinks)),
  main,
);

// Shows an error where a page would be: never a blank page.
export function showError(root: HTMLElement, error: unknown): void {
  replace(root, errorView(error));
}

// A modal dialog asking for an API token.
function tokenDialog(message: string): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h("input", { type: "password", id: "token-input", autocomplete: "off", required: true });
    const dialog = h(
      "dialog",
      { class: "token-dialog", "aria-labelledby": "token-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "token-title" }, "API token required"),
        h("p", {}, message),
        h("label", { for: "token-input" }, "Token"),
        input,
        h("div", { class: "actions" }, h("button", { value: "cancel", type: "submit", formnovalidate: true }, "Cancel"), h("button", { value: "ok", class: "primary", type: "submit" }, "Sign in")),
      ),
    );
    dialog.addEventListener("close", () => {
      const value = dialog.returnValue === "ok" ? input.value.trim() : "";
      dialog.remove();
      resolve(value || null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

let cleanup: void | Cleanup;

async function render(): Promise<void> {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const { path, query } = parseHash(location.hash);
  let found: { route: Route; params: Record<string, string> } | null = null;
  for (const route of routes) {
    const params = matchRoute(route.pattern, path);
    if (params) {
      found = { route, params };
      break;
    }
  }
  for (const a of navLinks) a.classList.toggle("active", path.startsWith(a.getAttribute("href")!.slice(1)));
  const root = h("div", { class: "page" });
  replace(main, root);
  if (!found) {
    showError(root, new ApiError(404, "NOT_FOUND", `no page at ${path}`));
    return;
  }
  document.title = `${found.route.title} · Strata`;
  try {
    cleanup = await found.route.page(root, found.params, query);
  } catch (e) {
    showError(root, e);
  }
}

setTokenPrompt(tokenDialog);
document.getElementById("app")!.appendChild(shell);
window.addEventListener("hashchange", () => void render());
window.addEventListener("unhandledrejection", (ev) => showError(main, ev.reason));
void render();
