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
