// Pure parts of context/: glob dialect, task-term extraction, budget fitting.
import { describe, expect, it } from "vitest";
import { fitItems, item, readingOrder } from "../../src/context/fit.js";
import { globMatcher, globToRegExp, scopeGlobs } from "../../src/util/glob.js";
import { cutDefinition, definitionPattern } from "../../src/context/snippet.js";
import { extractTerms } from "../../src/context/terms.js";
import { estimateTokens } from "../../src/context/tokens.js";

describe("globToRegExp", () => {
  it.each([
    ["src/*.ts", "src/a.ts", true],
    ["src/*.ts", "src/x/a.ts", false],
    ["src/**", "src/x/y/a.ts", true],
    ["**/*.ts", "a.ts", true],
    ["**/*.ts", "x/y/a.ts", true],
    ["src/**/test/*.ts", "src/test/a.ts", true],
    ["*.{ts,tsx}", "a.tsx", true],
    ["*.{ts,tsx}", "a.js", false],
    ["a?.ts", "ab.ts", true],
    ["[ab].ts", "b.ts", true],
    ["[!ab].ts", "b.ts", false],
    ["./src/a.ts", "src/a.ts", true],
    ["a.ts", "xa.ts", false],
    ["src/**.ts", "src/a.ts", true], // `**` inside a segment is a `*` (as orch-native reads it)
    ["src/**.ts", "src/x/a.ts", false],
    ["src/**", "src/x/a.ts", true],
    ["[]]x", "]x", true], // a `]` first in a class is itself
    ["[!]]x", "]x", false],
    ["[!]]x", "ax", true],
  ])("%s ~ %s → %s", (g, p, want) => {
    expect(globToRegExp(g).test(p)).toBe(want);
  });
  it("rejects unclosed classes and braces", () => {
    expect(() => globToRegExp("a[")).toThrow(/unclosed/);
    expect(() => globToRegExp("{a,b")).toThrow(/unclosed/);
    expect(() => globToRegExp("src/{a,{b,c}}.ts")).toThrow(/nested alternatives/); // as orch-native
  });
  it("scopeGlobs: each entry, and the path it names literally with everything below it", () => {
    expect(scopeGlobs(["src/lib/", "app/[id]/page.tsx", "!src/gen/**"])).toEqual(["src/lib/", "src/lib", "src/lib/**", "app/[id]/page.tsx", "app/[[]id[]]/page.tsx", "app/[[]id[]]/page.tsx/**", "!src/gen/**"]);
    expect(globMatcher(scopeGlobs(["app/[id]"]))("app/[id]/page.tsx")).toBe(true);
  });
  it("excludes with !", () => {
    const m = globMatcher(["src/**", "!src/gen/**"]);
    expect([m("src/a.ts"), m("src/gen/b.ts"), m("lib/c.ts")]).toEqual([true, false, false]);
    expect(globMatcher([])("anything")).toBe(true);
  });
});

describe("extractTerms", () => {
  it("finds code identifiers and paths, not prose", () => {
    const t = extractTerms("Fix the lease manager\nAdd `sweepExpired()` to `LeaseManager` in `src/store/leases.ts`; keep RecordStore and max_retries.\nSee docs/NATIVE.md. Orch should Work in TypeScript.");
    expect(t.identifiers).toEqual(["sweepExpired", "LeaseManager", "RecordStore", "max_retries"]);
    expect(t.paths).toEqual(["src/store/leases.ts", "docs/NATIVE.md"]);
  });
  it("caps the identifier count", () => {
    expect(extractTerms(Array.from({ length: 30 }, (_, i) => `fooBar${i}`).join(" "), 5).identifiers).toHaveLength(5);
  });
});

describe("fitItems", () => {
  it("takes by score, skips what does not fit, keeps smaller items below", () => {
    const a = item("symbol", "a".repeat(400), 10, "a"); // 100 tokens
    const b = item("outline", "b".repeat(800), 8, "b"); // 200 tokens
    const c = item("references", "c".repeat(40), 3, "c"); // 10 tokens
    const files = item("files", "f".repeat(8), 20, "f"); // 2 tokens
    const chosen = fitItems([c, b, a, files], 150);
    expect(chosen.map((i) => i.reason)).toEqual(["f", "a", "c"]);
    expect(chosen.reduce((n, i) => n + i.tokens, 0)).toBeLessThanOrEqual(150);
    expect(readingOrder([c, a, files]).map((i) => i.kind)).toEqual(["files", "symbol", "references"]);
  });
  it("estimates tokens as ceil(chars/4)", () => {
    expect([estimateTokens(""), estimateTokens("abc"), estimateTokens("abcde")]).toEqual([0, 1, 2]);
  });
});

describe("fallback definitions", () => {
  it("match declaration keywords only", () => {
    const re = new RegExp(definitionPattern("Foo"));
    expect(["export class Foo {", "def Foo(x):", "pub fn Foo()", "func Foo() {", "function* Foo() {"].every((l) => re.test(l))).toBe(true);
    expect(["new Foo()", "class FooBar {", "// Foo"].some((l) => re.test(l))).toBe(false);
  });
  it("cut by braces, by indentation, or one statement", () => {
    const ts = "x\nexport function f(a: number) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\nconst after = 1;\n";
    expect(cutDefinition(ts, 2)).toEqual({ text: "export function f(a: number) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}", endLine: 7 });
    const py = "def f(a,\n      b):\n    return a\n\n    # still f\ndef g():\n    pass\n";
    expect(cutDefinition(py, 1).text).toBe("def f(a,\n      b):\n    return a\n\n    # still f");
    expect(cutDefinition("type T = string;\ntype U = number;\n", 1).text).toBe("type T = string;");
  });
});
