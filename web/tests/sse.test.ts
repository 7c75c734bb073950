import { describe, expect, it } from "vitest";
import { SseParser } from "../src/lib/sse";

describe("SseParser", () => {
  it("parses the server's progress and done events", () => {
    const p = new SseParser();
    const events = p.feed('event: progress\ndata: {"state":"running"}\n\n: keep-alive\n\nevent: done\ndata: {"state":"succeeded"}\n\n');
    expect(events).toEqual([
      { event: "progress", data: '{"state":"running"}' },
      { event: "done", data: '{"state":"succeeded"}' },
    ]);
  });
  it("handles chunks split anywhere, CRLF and multi-line data", () => {
    const text = "event: log\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\n\n";
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      expect(events).toEqual([
        { event: "log", data: "line one\nline two" },
        { event: "message", data: "plain" },
      ]);
    }
  });
  it("keeps an incomplete event until its blank line arrives", () => {
    const p = new SseParser();
    expect(p.feed("event: progress\ndata: {}")).toEqual([]);
    expect(p.feed("\n")).toEqual([]);
    expect(p.feed("\n")).toEqual([{ event: "progress", data: "{}" }]);
  });
  it("ignores comments and unknown fields, keeps ids", () => {
    const p = new SseParser();
    expect(p.feed(": hello\nretry: 10\nid: 7\ndata:x\n\n")).toEqual([{ event: "message", data: "x", id: "7" }]);
  });
});
