// Uploads a file to POST /v1/datasets with XMLHttpRequest, sending the File itself so the
// browser streams it from disk (hundreds of MB work), and reporting progress as it goes.
import { ApiError, askForToken, authHeaders, setToken } from "../api";

export interface UploadResult {
  name: string;
  rows: number;
  columns: Array<{ name: string; type: string }>;
  bytes: number;
  format: string;
  seconds: number;
}

export interface UploadRequest {
  file: Blob;
  name: string;
  format: string; // auto | csv | tsv | jsonl
  replace: boolean;
}

export function uploadUrl(req: Omit<UploadRequest, "file">): string {
  const q = new URLSearchParams({ name: req.name });
  if (req.format && req.format !== "auto") q.set("format", req.format);
  if (req.replace) q.set("replace", "true");
  return `/v1/datasets?${q.toString()}`;
}

// The ApiError for a finished XHR that failed (the server's error shape, or the status).
export function xhrError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text);
    if (body && body.error) return new ApiError(status, body.error.code ?? "UNKNOWN", body.error.message ?? text, body.error.details);
  } catch {
    // not JSON
  }
  if (status === 0) return new ApiError(0, "UNAVAILABLE", "the upload was interrupted: the server closed the connection (is the file over the server's --max-upload-mb?)");
  return new ApiError(status, `HTTP_${status}`, text || `HTTP ${status}`);
}

function send(req: UploadRequest, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl(req));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : req.file.size);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onabort = () => reject(new ApiError(0, "CANCELLED", "the upload was cancelled"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(req.file);
  });
}

// Uploads; a 401 asks for a token once and starts again.
export async function uploadDataset(req: UploadRequest, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<UploadResult> {
  let res = await send(req, onProgress, signal);
  if (res.status === 401) {
    const token = await askForToken(xhrError(401, res.text).message);
    if (token) {
      setToken(token);
      res = await send(req, onProgress, signal);
    }
  }
  if (res.status < 200 || res.status >= 300) throw xhrError(res.status, res.text);
  return JSON.parse(res.text) as UploadResult;
}
