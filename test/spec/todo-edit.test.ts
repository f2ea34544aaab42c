import { describe, expect, it } from "vitest";
import { setChecked, assignIds } from "../../src/spec/todo-edit.js";
import { parseTodo } from "../../src/spec/todo.js";

const doc = "---\r\nowner: me\r\n---\r\n# Build\r\n\r\n- [ ] T1 Parse é 😀\r\n\t- [ ] Sub item\r\n- [x] T2 Done\r\n\r\n## Docs\r\n\r\nProse here.\r\n";

describe("setChecked", () => {
  it("changes exactly the checkbox character", () => {
    const out = setChecked(doc, "T1", true)!;
    expect(out.length).toBe(doc.length);
    const diff = Array.from({ length: out.length }, (_, i) => i).filter((i) => out[i] !== doc[i]);
    expect(diff).toHaveLength(1);
    expect(parseTodo(out, "x").items.find((i) => i.id === "T1")!.checked).toBe(true);
  });
  it("returns undefined when nothing changes, the id is absent or duplicated", () => {
    expect(setChecked(doc, "T2", true)).toBeUndefined();
    expect(setChecked(doc, "T9", true)).toBeUndefined();
    expect(setChecked("- [ ] T1 a\n- [ ] T1 b\n", "T1", true)).toBeUndefined();
  });
});

describe("assignIds", () => {
  it("writes the next free ids into id-less lines only", () => {
    const r = assignIds(doc, "T", ["T7"])!;
    expect(r.assigned).toEqual([{ line: 7, id: "T8" }]);
    expect(r.text).toBe(doc.replace("- [ ] Sub item", "- [ ] T8 Sub item"));
    expect(assignIds(r.text, "T")).toBeUndefined();
  });
  it("puts the id at the start of the text when the checkbox ends its line (LF and CRLF)", () => {
    for (const eol of ["\n", "\r\n"]) {
      const text = ["# Plan", "", "- [ ]", "  Write the parser", "- [ ]   ", "\t  Then the docs", ""].join(eol);
      const r = assignIds(text, "T")!;
      expect(r.text).toBe(["# Plan", "", "- [ ]", "  T1 Write the parser", "- [ ]   ", "\t  T2 Then the docs", ""].join(eol));
      expect(parseTodo(r.text, "x").items.map((i) => [i.id, i.title])).toEqual([["T1", "Write the parser"], ["T2", "Then the docs"]]);
    }
  });
});
