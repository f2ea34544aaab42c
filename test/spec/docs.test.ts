// The docs are specs: keep them in step with the code they describe.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigSchema } from "../../src/spec/config.js";
import { TaskFrontMatterSchema } from "../../src/spec/task-file.js";
import { z } from "zod";

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");

/** Every key path of the config schema, nested objects expanded (records are leaves). */
function keyPaths(schema: z.ZodType, prefix = ""): string[] {
  let s: z.ZodType = schema;
  for (let i = 0; i < 5; i++) {
    const def = (s as unknown as { def: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const next = def.innerType ?? def.in;
    if (!next) break;
    s = next;
  }
  if (!(s instanceof z.ZodObject)) return [prefix.slice(0, -1)];
  return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => (k === "budget" && prefix === "" ? ["budget"] : keyPaths(v, `${prefix}${k}.`)));
}

describe("docs", () => {
  it("CONFIG.md documents every config key", () => {
    const text = doc("CONFIG.md");
    const missing = keyPaths(ConfigSchema).filter((k) => !text.includes(`| \`${k}\` |`));
    expect(missing).toEqual([]);
  });
  it("FORMAT.md documents every task-file key", () => {
    const text = doc("FORMAT.md");
    expect(Object.keys(TaskFrontMatterSchema.shape).filter((k) => !text.includes(`| \`${k}\` |`))).toEqual([]);
  });
  it("FORMAT.md lists every problem code the spec loaders emit", () => {
    const text = doc("FORMAT.md");
    const src = ["mission.ts", "task-file.ts", "load.ts", "todo-line.ts", "config-problems.ts", "lint.ts"].map((f) => readFileSync(new URL(`../../src/spec/${f}`, import.meta.url), "utf8")).join("\n");
    const codes = new Set([...src.matchAll(/(?:code: |err\(|warn\(|bad\(|problem\()\s*"([a-z-]+)"/g)].map((m) => m[1]!));
    expect(codes.size).toBeGreaterThan(15);
    expect([...codes].filter((c) => !text.includes(`\`${c}\``))).toEqual([]);
  });
});
