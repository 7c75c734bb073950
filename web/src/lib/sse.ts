// Server-Sent Events over fetch (EventSource cannot send an Authorization header): a parser
// for the text/event-stream format and a reader that feeds it from a response body.
import { authHeaders, errorFromResponse } from "../api";

export interface SseEvent {
  event: string; // "message" when the stream gives no event name
  data: string;
  id?: string;
}

// Incremental parser: feed it chunks as they arrive (split anywhere, even inside a line or
// a CRLF); it returns the events completed so far. Comments (": keep-alive") are skipped.
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const ev: SseEvent = { event: this.event || "message", data: this.data.join("\n") };
      if (this.id !== undefined) ev.id = this.id;
      this.event = "";
      this.data = [];
      return ev;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
    return null;
  }
}

// Reads the event stream at `path` until it ends or `signal` aborts, calling onEvent for each
// event. Rejects with an ApiError when the server answers with an error.
export async function readEvents(path: string, onEvent: (ev: SseEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: { Accept: "text/event-stream", ...authHeaders() }, signal });
  if (!res.ok) throw await errorFromResponse(res);
  if (!res.body) throw new Error("the browser gave no response stream");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const ev of parser.feed(decoder.decode(value, { stream: true }))) onEvent(ev);
  }
}
