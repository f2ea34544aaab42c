// Surgical edits over generated TODO.md documents: every other byte identical, and the
// re-parse gives the intended model.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { setChecked, assignIds } from "../../src/spec/todo-edit.js";
import { parseTodo, type TodoItem } from "../../src/spec/todo.js";

const RUNS = Number(process.env.FC_RUNS ?? 100);
const title = fc.array(fc.constantFrom("fix", "the", "naïve", "😀", "日本", "`code`", "**bold**", "tab\there", "(x)"), { minLength: 1, maxLength: 4 }).map((w) => w.join(" "));
type Line = { kind: "item"; indent: string; marker: string; checked: boolean; withId: boolean; title: string; boxEndsLine: boolean } | { kind: "text"; text: string };
const itemLine = fc.record({
  kind: fc.constant("item" as const),
  indent: fc.constantFrom("", "", "  ", "\t", "    "),
  marker: fc.constantFrom("-", "*", "1."),
  checked: fc.boolean(),
  withId: fc.boolean(),
  title,
  // `- [ ]` ending its line, the text indented on the next one: still a task for GFM.
  boxEndsLine: fc.boolean(),
});
const textLine = fc.constantFrom("", "# Heading", "## Sub heading", "Some prose é", "```", "- [ ] T99 inside a fence?", "```", "> - [ ] T98 quoted", "<!-- - [ ] T97 comment -->").map((text) => ({ kind: "text" as const, text }));
const docArb = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: itemLine }, { weight: 2, arbitrary: textLine }), { maxLength: 25 }), fc.constantFrom("\n", "\r\n"), fc.boolean(), fc.boolean())
  .map(([lines, eol, frontMatter, finalEol]) => {
    let n = 0;
    const box = (l: Line & { kind: "item" }) => `${l.indent}${l.marker} [${l.checked ? "x" : " "}]${l.boxEndsLine ? `${eol}${l.indent}${" ".repeat(l.marker.length + 1)}` : " "}`;
    const body = (lines as Line[]).map((l) => (l.kind === "text" ? l.text : `${box(l)}${l.withId ? `T${++n} ` : ""}${l.title}`));
    const fm = frontMatter ? ["---", "owner: ünïcode", "---"] : [];
    return [...fm, ...body].join(eol) + (finalEol ? eol : "");
  });

const model = (i: TodoItem) => ({ id: i.id, title: i.title, checked: i.checked, deps: i.deps, parent: i.parent, headings: i.headings });
/** Indices where a and b differ, when they have the same length. */
const diffAt = (a: string, b: string) => Array.from({ length: a.length }, (_, i) => i).filter((i) => a[i] !== b[i]);

describe("surgical TODO.md edits (property)", () => {
  it("setChecked flips one character and nothing else", () => {
    fc.assert(
      fc.property(docArb, fc.nat(), fc.boolean(), (doc, pick, checked) => {
        const all = parseTodo(doc, "x").items;
        const items = all.filter((i) => i.id && all.filter((j) => j.id === i.id).length === 1);
        if (items.length === 0) return;
        const target = items[pick % items.length]!;
        const out = setChecked(doc, target.id!, checked);
        if (target.checked === checked) {
          expect(out).toBeUndefined();
          return;
        }
        expect(out!.length).toBe(doc.length);
        expect(diffAt(doc, out!)).toEqual([target.checkbox.offset]);
        const after = parseTodo(out!, "x").items.map(model);
        const expected = parseTodo(doc, "x").items.map((i) => (i.id === target.id ? { ...model(i), checked } : model(i)));
        expect(after).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("assignIds only inserts ids into id-less lines", () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const before = parseTodo(doc, "x").items;
        const r = assignIds(doc, "T", ["T40"]);
        if (before.every((i) => i.id)) {
          expect(r).toBeUndefined();
          return;
        }
        // Remove the inserted "Tn " strings again: the original bytes come back.
        let restored = r!.text;
        const inserts = before.filter((i) => !i.id).map((i, k) => ({ at: i.textStart, id: r!.assigned[k]!.id }));
        // Each id goes at the start of the task's text: right before its first visible character.
        for (const ins of inserts) expect(doc[ins.at] ?? "", `insert at ${ins.at} in ${JSON.stringify(doc)}`).toMatch(/\S/);
        for (const ins of [...inserts].reverse()) {
          const shift = inserts.filter((x) => x.at < ins.at).reduce((s, x) => s + x.id.length + 1, 0);
          expect(restored.slice(ins.at + shift, ins.at + shift + ins.id.length + 1)).toBe(`${ins.id} `);
          restored = restored.slice(0, ins.at + shift) + restored.slice(ins.at + shift + ins.id.length + 1);
        }
        expect(restored).toBe(doc);
        const after = parseTodo(r!.text, "x").items;
        let k = 0;
        expect(after.map(model)).toEqual(before.map((i) => (i.id ? model(i) : { ...model(i), id: r!.assigned[k++]!.id })).map((m, idx) => ({ ...m, parent: after[idx]!.parent })));
        expect(after.filter((i) => !i.id)).toEqual([]);
        const old = new Set(before.map((i) => i.id));
        for (const a of r!.assigned) expect(old.has(a.id) || a.id === "T40").toBe(false);
        expect(new Set(r!.assigned.map((a) => a.id)).size).toBe(r!.assigned.length);
      }),
      { numRuns: RUNS },
    );
  });

});
