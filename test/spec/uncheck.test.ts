import { describe, expect, it } from "vitest";
import { classifyUncheck } from "../../src/spec/uncheck.js";

const check = { at: "2026-01-01T10:00:00.000Z", generation: "g1", lineBefore: "- [ ] T1 Parse", lineAfter: "- [x] T1 Parse" };
const laterCheck = { at: "2026-01-01T10:05:00.000Z", lineAfter: "- [x] T2 Lex" };
const earlierCheck = { at: "2026-01-01T09:00:00.000Z", lineAfter: "- [x] T0 Old" };

describe("classifyUncheck", () => {
  it("TODO.md not written since orch recorded the success (it stopped before checking the box): never written, not a person's uncheck", () => {
    const text = "- [ ] T1 Parse\n";
    const table: [string | undefined, string, string][] = [
      ["2026-01-01T09:59:59.999Z", "- [ ] T1 Parse", "never-written"],
      ["2026-01-01T10:00:00.000Z", "- [ ] T1 Parse", "deliberate"], // the same millisecond: not told apart
      ["2026-01-01T10:00:00.001Z", "- [ ] T1 Parse", "deliberate"], // written since: a person (or orch, then a person)
      ["2026-01-01T09:00:00.000Z", "- [ ] T1 Parse changed", "deliberate"], // the line differs: a person
      [undefined, "- [ ] T1 Parse", "deliberate"],
    ];
    for (const [mtime, line, kind] of table) expect(classifyUncheck(check, line, text, [], mtime).kind, `${mtime} ${line}`).toBe(kind);
  });

  it("an old buffer saved over orch's writes is a stale save", () => {
    const text = "- [ ] T1 Parse\n- [ ] T2 Lex\n";
    expect(classifyUncheck(check, "- [ ] T1 Parse", text, [laterCheck]).kind).toBe("stale-save");
  });
  it("a later orch write still in the file means a deliberate uncheck", () => {
    const text = "- [ ] T1 Parse\n- [x] T2 Lex\n";
    expect(classifyUncheck(check, "- [ ] T1 Parse", text, [laterCheck]).kind).toBe("deliberate");
  });
  it("nothing to corroborate means deliberate (the safe side)", () => {
    expect(classifyUncheck(check, "- [ ] T1 Parse", "- [ ] T1 Parse\n", []).kind).toBe("deliberate");
    expect(classifyUncheck(check, "- [ ] T1 Parse", "- [ ] T1 Parse\n", [earlierCheck]).kind).toBe("deliberate");
  });
  it("an edited line is deliberate even if later writes vanished", () => {
    expect(classifyUncheck(check, "- [ ] T1 Parse again", "- [ ] T1 Parse again\n", [laterCheck]).kind).toBe("deliberate");
  });
  it("ignores a CR difference", () => {
    expect(classifyUncheck(check, "- [ ] T1 Parse\r", "- [ ] T1 Parse\r\n- [ ] T2 Lex\r\n", [laterCheck]).kind).toBe("stale-save");
  });
});
