// The front-matter fast path must read exactly what gray-matter + js-yaml read.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import matter from "gray-matter";
import { fastFrontMatter } from "../../src/spec/front-matter.js";
import { parseTaskFile } from "../../src/spec/task-file.js";

const RUNS = Number(process.env.FC_RUNS ?? 1500);
const plain = fc.constantFrom("T1", "logic", "node --test test/a.test.js", "src/**", "./x", "0", "12", "-3", "true", "false", "yes", '"quoted"', "'single'", '"a: b"', "a#b", "http://x.y/z", "é ünïcode", "a,b", "x-y");
const tricky = fc.constantFrom(
  "007", "1.5", "1e3", ".5", ".inf", "0x1F", "1:30", "True", "no", "on", "null", "~", "a: b", "a #c",
  "2024-01-01", "*alias", "&anchor", "!tag", "|", ">", "[a]", "{a: 1}", "-", "- x", "", "x:", "-0",
);
const scalar = fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: tricky });
const key = fc.constantFrom("id", "deps", "type", "verify", "files", "budget", "priority", "suspend", "title", "x-y", "_k", "deps");
const entry = fc.oneof(
  fc.tuple(key, scalar).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(key, fc.array(scalar, { maxLength: 3 })).map(([k, vs]) => `${k}: [${vs.join(", ")}]`),
  fc.tuple(key, fc.constantFrom("  ", "    "), fc.array(scalar, { minLength: 1, maxLength: 3 })).map(([k, ind, vs]) => `${k}:\n${vs.map((v) => `${ind}- ${v}`).join("\n")}`),
  fc.tuple(key, fc.array(fc.tuple(fc.constantFrom("tokens", "usd", "attempts", "minutes"), scalar), { minLength: 1, maxLength: 3 })).map(([k, kv]) => `${k}:\n${kv.map(([a, b]) => `  ${a}: ${b}`).join("\n")}`),
  fc.constantFrom("# comment", "", "key:", "\tbad: tab", "k : v", "- top", "..."),
);
const doc = fc.tuple(fc.array(entry, { maxLength: 5 }), fc.constantFrom("\n", "\r\n"), fc.constantFrom("Body text.\n", "", "\n\nMore\n")).map(([es, eol, body]) => `---${eol}${es.join(eol).replace(/\n/g, eol)}${eol}---${eol}${body}`);

/** The 1-based line where each key is first written at the start of a line (line 1 is `---`): what both paths must report. */
function keyLinesOf(src: string, keys: string[]): Record<string, number> {
  const lines = src.split(/\r?\n/);
  const escape = (k: string) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return Object.fromEntries(keys.map((k) => [k, lines.findIndex((l, i) => i > 0 && new RegExp(`^${escape(k)}\\s*:`).test(l)) + 1]));
}

describe("front matter fast path (property)", () => {
  it("equals gray-matter whenever it accepts a file", () => {
    let accepted = 0;
    fc.assert(
      fc.property(doc, (src) => {
        const fast = fastFrontMatter(src);
        if (!fast) return;
        accepted++;
        const ref = matter(src, {});
        expect(fast.data).toEqual(JSON.parse(JSON.stringify(ref.data)));
        expect(fast.content).toBe(ref.content);
        expect(fast.keyLines).toEqual(keyLinesOf(src, Object.keys(ref.data)));
      }),
      { numRuns: RUNS },
    );
    if (process.env.FC_DEBUG) console.log("accepted", accepted, "of", RUNS);
    expect(accepted).toBeGreaterThan(RUNS / 60); // the property must not pass by rejecting everything
  });
  it("task files read the same through either path", () => {
    const src = "---\nid: T1\ndeps: [T2, T3]\nverify:\n  - node --test\nbudget:\n  attempts: 2\n---\nDo it.\n";
    const commented = src.replace("deps: [T2, T3]", "deps: [T2, T3] # js-yaml path");
    // The two inputs must really take different paths, or the comparison proves nothing.
    expect(fastFrontMatter(src)).toBeDefined();
    expect(fastFrontMatter(commented)).toBeUndefined();
    expect(parseTaskFile(src, "tasks/T1.md")).toEqual(parseTaskFile(commented, "tasks/T1.md"));
  });
});
