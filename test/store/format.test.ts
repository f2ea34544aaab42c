// Properties of the on-disk formats: deterministic bytes, lossless round trips, scope globs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EnvelopeSchema, serializeEnvelope } from "../../src/store/envelope.js";
import { formatEvent, HistoryEventSchema } from "../../src/store/history-event.js";
import { jsonEqual, sortKeys, stableJson } from "../../src/store/json.js";
import { scopeMatcher } from "../../src/store/glob.js";

const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown); // no -0

/** The same object with its keys inserted in reverse order at every depth. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

describe("record and history formats", () => {
  it("a record's bytes do not depend on key insertion order, and parse back to the same value", () => {
    fc.assert(
      fc.property(json, fc.nat({ max: 1e6 }), (value, version) => {
        const env = { version: version + 1, fences: { b: 2, a: 1 }, value };
        const text = serializeEnvelope(env);
        expect(serializeEnvelope({ ...env, fences: { a: 1, b: 2 }, value: reversed(value) })).toBe(text);
        expect(text.endsWith("}\n")).toBe(true);
        expect(text.startsWith(`{\n  "version": ${version + 1},\n`)).toBe(true);
        const back = EnvelopeSchema.parse(JSON.parse(text));
        expect(jsonEqual(back.value, value)).toBe(true);
        expect(stableJson(back.value)).toBe(stableJson(value));
      }),
      { numRuns: 200 },
    );
  });

  it("a history line is one line, fixed key order, and reads back to the same event", () => {
    const event = fc.record(
      {
        at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        task: fc.constantFrom("T1", "T22", "X3"),
        kind: fc.string({ minLength: 1 }),
        attempt: fc.nat(),
        from: fc.string(),
        to: fc.string(),
        error: fc.string(),
        tokens: fc.nat(),
        // (zod rebuilds a record key by key, so a top-level "__proto__" key would not survive parsing)
        detail: fc.dictionary(fc.string().filter((k) => k !== "__proto__"), fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: ["at", "task", "kind"] },
    );
    fc.assert(
      fc.property(event, (e) => {
        const line = formatEvent(e);
        expect(line).not.toContain("\n");
        const back = HistoryEventSchema.parse(JSON.parse(line));
        expect(jsonEqual(back, e)).toBe(true);
        expect(Object.keys(back)).toEqual(["at", "task", "kind", "attempt", "from", "to", "tokens", "error", "detail"].filter((k) => k in e));
        expect(formatEvent(reversed(e) as typeof e)).toBe(line);
      }),
      { numRuns: 200 },
    );
  });

  it("a key named __proto__ survives a write", () => {
    const v = JSON.parse('{"z":1,"__proto__":{"x":2}}');
    expect(JSON.parse(stableJson(v))).toEqual(v);
    expect(stableJson(v)).toBe('{\n  "__proto__": {\n    "x": 2\n  },\n  "z": 1\n}\n');
  });

  it("sortKeys drops undefined and keeps array order", () => {
    expect(sortKeys({ b: [3, { d: 1, c: undefined }], a: undefined })).toEqual({ b: [3, { d: 1 }] });
  });
});

describe("scope globs", () => {
  it.each([
    ["src/a.ts", ["src/**"], true],
    ["src/x/y/a.ts", ["src/**/*.ts"], true],
    ["src/a.ts", ["src/**/*.ts"], true],
    ["src/a.js", ["src/**/*.ts"], false],
    ["srcx/a.ts", ["src"], false],
    ["src/deep/a.ts", ["src"], true],
    ["src", ["src/"], true],
    ["README.md", ["*.md"], true],
    ["docs/a.md", ["*.md"], false],
    ["a.ts", ["{a,b}.ts"], true],
    ["c.ts", ["{a,b}.ts"], false],
    ["a+b (1).ts", ["a+b (1).ts"], true],
    ["src/a.ts", ["src/[ab].ts"], true], // a class, as in context packs and orch-native
    ["src/c.ts", ["src/[ab].ts"], false],
    ["src/b.ts", ["src/{a,b}.ts"], true],
    ["app/[id]/page.tsx", ["app/[id]/page.tsx"], true], // the path it names: a route folder with brackets
    ["app/[id]/edit/page.tsx", ["app/[id]"], true],
    ["src/gen/a.ts", ["src/**", "!src/gen/**"], false], // `!` excludes, as in a pack
    ["src/x/a.ts", ["src/**.ts"], false], // `**` inside a segment is a `*`, as in orch-native
    ["src/x.ts", ["!src/gen/**"], false],
    ["lib/a.ts", ["src/**", "lib/*.ts"], true],
    ["x.ts", [], false],
  ])("%s in %j: %s", (file, globs, want) => {
    expect(scopeMatcher(globs)(file)).toBe(want);
  });
  it("anchors its patterns", () => {
    expect(scopeMatcher(["src/*.ts"])("src/a.ts/b")).toBe(false);
    expect(scopeMatcher(["src/*.ts"])("x/src/a.ts")).toBe(false);
  });
});
