// Table tests of the doom-loop counter (src/runtime/doom-loop.ts).
import { describe, expect, it } from "vitest";
import { DoomLoopCounter, doomLoopText, toolCallOf } from "../../src/runtime/doom-loop.js";

describe("DoomLoopCounter", () => {
  it("the same tool and input reaches the limit on its Nth call in a row", () => {
    const c = new DoomLoopCounter(3);
    const out = ["c1", "c2", "c3", "c4"].map((callId) => c.see({ callId, tool: "bash", input: { command: "ls" } }));
    expect(out).toEqual([undefined, undefined, { tool: "bash", input: '{"command":"ls"}', count: 3 }, { tool: "bash", input: '{"command":"ls"}', count: 4 }]);
  });
  it("a different call in between starts the count again: edit, test, edit, test … is a worker at work, not a loop", () => {
    const c = new DoomLoopCounter(3);
    const calls = [
      ["c1", "edit", { filePath: "a", content: "1" }],
      ["c2", "bash", { command: "npm test" }],
      ["c3", "edit", { filePath: "a", content: "2" }],
      ["c4", "bash", { command: "npm test" }],
      ["c5", "edit", { filePath: "a", content: "3" }],
      ["c6", "bash", { command: "npm test" }],
      ["c7", "read", { filePath: "a" }],
      ["c8", "bash", { command: "npm test" }],
    ] as const;
    expect(calls.map(([callId, tool, input]) => c.see({ callId, tool, input }))).toEqual(calls.map(() => undefined));
  });
  it("one call seen in several updates (running, completed) counts once", () => {
    const c = new DoomLoopCounter(2);
    expect(c.see({ callId: "c1", tool: "bash", input: { command: "x" } })).toBeUndefined();
    expect(c.see({ callId: "c1", tool: "bash", input: { command: "x" } })).toBeUndefined();
    expect(c.see({ callId: "c2", tool: "bash", input: { command: "x" } })).toMatchObject({ count: 2 });
  });
  it("key order does not make two calls different; a different tool with the same input does", () => {
    const c = new DoomLoopCounter(2);
    expect(c.see({ callId: "a", tool: "write", input: { filePath: "f", content: "x" } })).toBeUndefined();
    expect(c.see({ callId: "b", tool: "write", input: { content: "x", filePath: "f" } })).toMatchObject({ tool: "write", count: 2 });
    expect(c.see({ callId: "c", tool: "edit", input: { filePath: "f", content: "x" } })).toBeUndefined();
  });
  it("a long input is cut for the message", () => {
    const c = new DoomLoopCounter(1);
    const loop = c.see({ callId: "a", tool: "write", input: { content: "y".repeat(500) } })!;
    expect(loop.input.length).toBe(200);
    expect(doomLoopText(loop)).toMatch(/^the agent repeated the same write call 1 times \(input \{"content":"y+…\); the session was stopped$/);
  });
});

describe("toolCallOf", () => {
  const table: [unknown, ReturnType<typeof toolCallOf>][] = [
    [{ type: "tool", callID: "c1", tool: "bash", state: { status: "running", input: { command: "ls" } } }, { callId: "c1", tool: "bash", input: { command: "ls" } }],
    [{ type: "tool", callID: "c1", tool: "bash", state: { status: "completed", input: { command: "ls" } } }, { callId: "c1", tool: "bash", input: { command: "ls" } }],
    [{ type: "tool", callID: "c1", tool: "bash", state: { status: "pending", input: {} } }, undefined],
    [{ type: "text", text: "hi" }, undefined],
    [{ type: "tool", tool: "bash", state: { status: "running" } }, undefined],
    [null, undefined],
  ];
  it.each(table)("%j", (part, want) => expect(toolCallOf(part)).toEqual(want));
});
