// The console's one client for the Strata server's HTTP API (docs/server.md). Every error
// becomes an ApiError carrying the server's {"error": {code, message, details}}; a 401
// asks for an API token (kept in sessionStorage for the session) and retries once.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "strata.token";

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Asks the user for a token; replaced by the app shell with a proper dialog.
export let promptForToken: (message: string) => Promise<string | null> = async (message) =>
  window.prompt(message);

export function setTokenPrompt(fn: (message: string) => Promise<string | null>): void {
  promptForToken = fn;
}

// Asks once even when several requests get a 401 at the same time (a page loading two
// resources): they all wait for the same answer.
let pendingPrompt: Promise<string | null> | null = null;
export function askForToken(message: string): Promise<string | null> {
  if (!pendingPrompt) {
    pendingPrompt = promptForToken(message).finally(() => {
      pendingPrompt = null;
    });
  }
  return pendingPrompt;
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Turns a failed response into an ApiError, whatever its body.
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && body.error) {
      return new ApiError(res.status, body.error.code ?? "UNKNOWN", body.error.message ?? text, body.error.details);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `HTTP_${res.status}`, text || res.statusText || `HTTP ${res.status}`);
}

export interface RequestOptions {
  method?: string;
  body?: unknown; // JSON-encoded unless it is a Blob, File or string
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

// Sends a request to the API and returns the parsed JSON body.
export async function api<T = unknown>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), ...(options.headers ?? {}) };
  let body: BodyInit | undefined;
  if (options.body instanceof Blob || typeof options.body === "string") {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? (body ? "POST" : "GET"), headers, body, signal: options.signal });
  } catch (e) {
    throw new ApiError(0, "UNAVAILABLE", `cannot reach the Strata server: ${(e as Error).message}`);
  }
  if (res.status === 401 && !retried) {
    const err = await errorFromResponse(res);
    const token = await askForToken(err.message);
    if (token) {
      setToken(token);
      return api<T>(path, options, true);
    }
    throw err;
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}
