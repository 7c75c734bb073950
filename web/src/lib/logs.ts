// One log line for display, from what the jobs API sends: plain text, or an object with a
// message (and optionally time and level), as a JSON value or JSON text.
export function logLine(entry: unknown): string {
  let value = entry;
  if (typeof value === "string") {
    const text = value.trim();
    if (!text.startsWith("{")) return value;
    try {
      value = JSON.parse(text);
    } catch {
      return entry as string;
    }
  }
  if (value && typeof value === "object") {
    const o = value as { time?: string; ts?: string; at?: string; level?: string; message?: string; msg?: string; line?: string };
    const message = o.message ?? o.msg ?? o.line;
    if (message !== undefined) {
      const time = o.time ?? o.ts ?? o.at;
      return [time, o.level ? o.level.toUpperCase() : undefined, message].filter(Boolean).join(" ");
    }
    return JSON.stringify(value);
  }
  return String(value);
}

// The sequence number of a log entry ({"seq": 3, ...} as JSON or JSON text), or null.
export function logSeq(entry: unknown): number | null {
  let value = entry;
  if (typeof value === "string" && value.trim().startsWith("{")) {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const seq = (value as { seq?: unknown } | null)?.seq;
  return typeof seq === "number" ? seq : null;
}

// Keeps log lines in order once each: the /logs answer and the "log" events overlap, and a
// reconnecting stream may repeat lines. Entries without a seq are always kept.
export class LogBuffer {
  readonly lines: string[] = [];
  lastSeq = 0;

  add(entry: unknown): boolean {
    const seq = logSeq(entry);
    if (seq !== null) {
      if (seq <= this.lastSeq) return false;
      this.lastSeq = seq;
    }
    this.lines.push(logLine(entry));
    return true;
  }
}
