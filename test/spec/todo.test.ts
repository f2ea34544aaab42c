import { describe, expect, it } from "vitest";
import { parseTodo } from "../../src/spec/todo.js";

const doc = [
  "---",
  "title: not a heading",
  "---",
  "# Mission",
  "",
  "Some prose about the mission.",
  "",
  "- [ ] T1 Write the parser (after T2, T3)",
  "  - [x] T2 Lexer",
  "  - [ ] T3: Grammar",
  "- [ ] No id yet",
  "",
  "## Later",
  "",
  "> - [ ] T8 quoted is not a task",
  "",
  "```md",
  "- [ ] T9 fenced is not a task",
  "# nor a heading",
  "```",
  "<!--",
  "- [ ] T10 commented out",
  "-->",
  "* [X] T4 Done thing",
  "",
].join("\n");

describe("parseTodo", () => {
  const r = parseTodo(doc, "TODO.md");
  it("finds task items with ids, titles, deps and checkboxes", () => {
    expect(r.items.map((i) => [i.id, i.title, i.checked, i.deps])).toEqual([
      ["T1", "Write the parser", false, ["T2", "T3"]],
      ["T2", "Lexer", true, []],
      ["T3", "Grammar", false, []],
      [undefined, "No id yet", false, []],
      ["T4", "Done thing", true, []],
    ]);
    expect(r.problems).toEqual([]);
  });
  it("nests subtasks under their parent", () => {
    expect(r.items[1]!.parent).toBe("T1");
    expect(r.items[2]!.parentIndex).toBe(0);
    expect(r.items[0]!.parent).toBeUndefined();
  });
  it("records heading paths, ignoring front matter and fenced headings", () => {
    expect(r.items[0]!.headings).toEqual(["Mission"]);
    expect(r.items[4]!.headings).toEqual(["Mission", "Later"]);
    expect(r.headings.map((h) => h.text)).toEqual(["Mission", "Later"]);
  });
  it("gives positions of the line and the checkbox", () => {
    const t1 = r.items[0]!;
    expect([t1.line, t1.col]).toEqual([8, 1]);
    expect(doc.slice(t1.lineStart, t1.lineEnd)).toBe("- [ ] T1 Write the parser (after T2, T3)");
    expect(doc[t1.checkbox.offset]).toBe(" ");
    expect(doc[r.items[1]!.checkbox.offset]).toBe("x");
    expect(r.items[1]!.checkbox).toMatchObject({ line: 9, col: 6 });
    expect(doc.slice(t1.textStart, t1.textStart + 2)).toBe("T1");
  });
  it("meaning ignores the checkbox but not the title", () => {
    const a = parseTodo("- [ ] T1 A (after T2, T3)\n", "x").items[0]!;
    const b = parseTodo("- [x] T1 A (after T3,T2)\n", "x").items[0]!;
    const c = parseTodo("- [ ] T1 B (after T2, T3)\n", "x").items[0]!;
    expect(a.meaning).toBe(b.meaning);
    expect(a.meaning).not.toBe(c.meaning);
  });
  it("keeps CRLF offsets exact", () => {
    const t = "# A\r\n\r\n- [ ] T1 é 😀\r\n- [x] T2 b\r\n";
    const items = parseTodo(t, "x").items;
    expect(items.map((i) => t.slice(i.lineStart, i.lineEnd))).toEqual(["- [ ] T1 é 😀", "- [x] T2 b"]);
    expect(items[0]!.title).toBe("é 😀");
  });
  it("reports malformed deps and empty titles", () => {
    const p = parseTodo("- [ ] T1 A (after nope)\n- [ ] T2\n", "TODO.md").problems;
    expect(p.map((x) => [x.code, x.line])).toEqual([["bad-dep", 1], ["empty-title", 2]]);
  });
  it("reads a leading --- rule around task lines as markdown, not front matter", () => {
    expect(parseTodo("---\n- [ ] T1 Kept\n---\n", "x").items.map((i) => i.id)).toEqual(["T1"]);
    expect(parseTodo("---\nowner: me\ntags:\n  - a\n---\n- [ ] T1 After\n", "x").items.map((i) => i.line)).toEqual([6]);
  });
});
describe("parseTodo's latest parse", () => {
  it("answers the same text again with the same parse, and anything else afresh", () => {
    const first = parseTodo(doc, "TODO.md");
    // An equal text read again (another string): what a success does three times over.
    expect(parseTodo(doc.split("").join(""), "TODO.md")).toBe(first);
    const checked = doc.replace("- [ ] T3", "- [x] T3");
    expect(parseTodo(checked, "TODO.md").items.find((i) => i.id === "T3")?.checked).toBe(true);
    expect(parseTodo(doc, "TODO.md")).not.toBe(first); // replaced by the other text meanwhile
    expect(parseTodo(doc, "other/TODO.md")).not.toBe(parseTodo(doc, "TODO.md")); // problems name their file
  });
});

