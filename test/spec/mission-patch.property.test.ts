// Patching the last mission after an edit must give exactly what a full build gives.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildMission, createSpecCache } from "../../src/spec/mission.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";

const RUNS = Number(process.env.FC_RUNS ?? 150);
const line = fc.record({
  indent: fc.constantFrom("", "", "  "),
  checked: fc.boolean(),
  id: fc.constantFrom("T1", "T2", "T3", "T4", "T5", "T6", ""),
  title: fc.constantFrom("Parse", "Lex it", "", "Write docs"),
  deps: fc.constantFrom("", " (after T1)", " (after T2, T9)", " (after bad)"),
});
const lineText = (l: { indent: string; checked: boolean; id: string; title: string; deps: string }) => `${l.indent}- [${l.checked ? "x" : " "}] ${l.id ? `${l.id} ` : ""}${l.title}${l.deps}`;
const docLines = fc.array(fc.oneof({ weight: 4, arbitrary: line.map(lineText) }, { weight: 1, arbitrary: fc.constantFrom("", "# Head", "## Other") }), { minLength: 1, maxLength: 12 });
const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom("toggle", "title", "line", "heading"), line: line.map(lineText) });
const files = [
  { path: "tasks/T1.md", text: "---\ndeps: [T3]\n---\nDo it.\n" },
  { path: "tasks/T2.md", text: "Just a body.\n" },
];

describe("mission patch (property)", () => {
  it("equals a full build after each of a series of one-line edits", () => {
    fc.assert(
      fc.property(docLines, fc.array(edit, { minLength: 1, maxLength: 6 }), (start, edits) => {
        const cache = createSpecCache();
        let lines = [...start];
        buildMission("/r", "TODO.md", `${lines.join("\n")}\n`, files, DEFAULT_CONFIG, cache);
        for (const e of edits) {
          const i = e.at % lines.length;
          const l = lines[i]!;
          lines = [...lines];
          if (e.kind === "toggle") lines[i] = l.replace("[ ]", "[#]").replace("[x]", "[ ]").replace("[#]", "[x]");
          else if (e.kind === "title") lines[i] = l.replace(/(Parse|Lex it|Write docs)/, "Renamed");
          else if (e.kind === "heading") lines[i] = l.startsWith("#") ? `${l} more` : l;
          else lines[i] = e.line;
          const text = `${lines.join("\n")}\n`;
          expect(buildMission("/r", "TODO.md", text, files, DEFAULT_CONFIG, cache)).toEqual(buildMission("/r", "TODO.md", text, files, DEFAULT_CONFIG));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
