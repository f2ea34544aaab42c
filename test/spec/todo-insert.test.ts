// insertTaskLines (docs/FORMAT.md §5): new task lines at the end, under a heading, or under a task,
// every other byte of TODO.md kept.
import { describe, expect, it } from "vitest";
import { insertTaskLines, findHeading } from "../../src/spec/todo-insert.js";
import { parseTodo } from "../../src/spec/todo.js";

const lines = [{ text: "T8 Eight" }, { text: "T9 Nine (after T8)" }];
const ok = (r: ReturnType<typeof insertTaskLines>) => {
  if ("error" in r) throw new Error(r.error);
  return r.text;
};

describe("insertTaskLines", () => {
  it("appends to the last list at the end of the file, keeping the rest byte for byte", () => {
    const doc = "# P\n\n- [ ] T1 One\n- [x] T2 Two\n";
    expect(ok(insertTaskLines(doc, { end: true }, lines))).toBe(`${doc}- [ ] T8 Eight\n- [ ] T9 Nine (after T8)\n`);
  });

  it("adds a line break to a last line without one, and a blank line after prose", () => {
    expect(ok(insertTaskLines("# P\n\nSome prose.", { end: true }, lines))).toBe("# P\n\nSome prose.\n\n- [ ] T8 Eight\n- [ ] T9 Nine (after T8)\n");
    expect(ok(insertTaskLines("- [ ] T1 One", { end: true }, lines.slice(0, 1)))).toBe("- [ ] T1 One\n- [ ] T8 Eight\n");
  });

  it("goes at the end of a heading's own lines, before its next heading, with the list's bullet; CRLF kept", () => {
    const doc = "---\r\nowner: me\r\n---\r\n# P\r\n\r\n## Core\r\n\r\n* [ ] T1 One\r\n  * [ ] T2 Sub\r\n\r\n### Later\r\n\r\n- [ ] T3 Three\r\n";
    const out = ok(insertTaskLines(doc, { under: "## Core" }, lines));
    expect(out).toBe(doc.replace("  * [ ] T2 Sub\r\n", "  * [ ] T2 Sub\r\n* [ ] T8 Eight\r\n* [ ] T9 Nine (after T8)\r\n"));
    const items = parseTodo(out, "TODO.md").items;
    expect(items.filter((i) => i.id === "T8" || i.id === "T9").map((i) => [i.id, i.headings, i.parent])).toEqual([
      ["T8", ["P", "Core"], undefined],
      ["T9", ["P", "Core"], undefined],
    ]);
  });

  it("puts lines under an empty heading after a blank line", () => {
    expect(ok(insertTaskLines("# P\n## Empty\n## Next\n- [ ] T1 x\n", { under: "Empty" }, lines.slice(0, 1)))).toBe("# P\n## Empty\n\n- [ ] T8 Eight\n## Next\n- [ ] T1 x\n");
  });

  it("nests lines under a task, after its subtasks, indented as they are", () => {
    const doc = "- [ ] T1 One\n\t- [ ] T2 Sub\n\n\t  more of T2\n- [ ] T3 Three\n";
    const out = ok(insertTaskLines(doc, { parentTask: "T1" }, lines));
    expect(out).toBe("- [ ] T1 One\n\t- [ ] T2 Sub\n\n\t  more of T2\n\t- [ ] T8 Eight\n\t- [ ] T9 Nine (after T8)\n- [ ] T3 Three\n");
    expect(parseTodo(out, "TODO.md").items.map((i) => [i.id, i.parent])).toEqual([["T1", undefined], ["T2", "T1"], ["T8", "T1"], ["T9", "T1"], ["T3", undefined]]);
    // Subtasks indented with a tab and with spaces: the new lines follow the last one, as it is indented
    // (the first one's tab would reach past the last one's text and nest the lines under it).
    const mixed = "- [ ] T1 fix\n\t- [ ] T2 fix\n  - [ ] T3 fix\n";
    expect(parseTodo(ok(insertTaskLines(mixed, { parentTask: "T1" }, lines)), "TODO.md").items.map((i) => [i.id, i.parent])).toEqual([["T1", undefined], ["T2", "T1"], ["T3", "T1"], ["T8", "T1"], ["T9", "T1"]]);
    // A task without subtasks: at its text's column (an ordered item's 3).
    expect(ok(insertTaskLines("1. [ ] T1 One\n2. [ ] T3 x\n", { parentTask: "T1" }, lines.slice(0, 1)))).toBe("1. [ ] T1 One\n   - [ ] T8 Eight\n2. [ ] T3 x\n");
  });

  it("says why when the heading or the parent is not there", () => {
    const doc = "# Plan\n\n## Core\n\n- [ ] T1 x\n- [ ] T1 y\n";
    const miss = insertTaskLines(doc, { under: "## Cor" }, lines);
    expect(miss).toMatchObject({ error: 'no heading "## Cor" in the task list' });
    expect("hint" in miss && miss.hint).toContain('Did you mean "Core"?');
    expect(insertTaskLines(doc, { under: "### Core" }, lines)).toMatchObject({ error: 'no heading "### Core" in the task list' });
    expect(insertTaskLines(doc, { parentTask: "T9" }, lines)).toMatchObject({ error: "no task T9 in the task list" });
    expect(insertTaskLines(doc, { parentTask: "T1" }, lines)).toMatchObject({ error: "task T1 is on 2 lines" });
    const two = parseTodo("# A\n## X\n# B\n## X\n", "TODO.md");
    expect(findHeading(two, "X")).toMatchObject({ error: expect.stringContaining('2 headings match "X"') });
    expect(findHeading(two, "x")).toMatchObject({ error: expect.stringContaining("2 headings") });
    expect(findHeading(parseTodo("# A\n## Core\n", "TODO.md"), "core")).toEqual({ index: 1 });
  });
});
