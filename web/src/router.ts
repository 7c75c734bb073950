// Hash routing: "#/models/churn" matches the pattern "/models/:name" with {name: "churn"}.
// A page renders into the main element and may return a cleanup function (to stop polling
// or close an event stream) that runs when the user navigates away.
export type Params = Record<string, string>;
export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: Params, query: URLSearchParams) => void | Cleanup | Promise<void | Cleanup>;

export interface Route {
  pattern: string; // "/models/:name"
  page: Page;
  title: string;
}

// Matches a path against a pattern; null when it does not match.
export function matchRoute(pattern: string, path: string): Params | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

// Splits "#/models/churn?tab=roc" into the path and the query.
export function parseHash(hash: string): { path: string; query: URLSearchParams } {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  return q < 0
    ? { path: raw, query: new URLSearchParams() }
    : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}

export function href(path: string): string {
  return `#${path}`;
}
