// Validates .orchestrator/config.json text into Problems with line/col and "did you mean" hints.
import { z } from "zod";
import type { Problem } from "../util/index.js";
import { ConfigSchema, type Config } from "./config.js";
import { nearest } from "./ids.js";

/** A config file's text parsed and validated once: the config, or the problems (file:line:col). */
export function parseConfig(text: string, file: string): { config: Config; problems: [] } | { config?: undefined; problems: Problem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? lineCol(text, Number(pos[1])) : { line: 1, col: 1 };
    return { problems: [{ code: "invalid-json", severity: "error", file, ...at, message: `invalid JSON: ${msg.replace(/ in JSON at position \d+.*/, "")}`, hint: "Fix the JSON syntax (no trailing commas or comments)." }] };
  }
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return { config: r.data, problems: [] };
  return { problems: r.error.issues.map((issue) => {
    const keyPath = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      const known = knownKeys(keyPath);
      const near = nearest(key, known);
      return { code: "unknown-key", severity: "error" as const, file, ...keyLine(text, key), message: `unknown key "${[...keyPath, key].join(".")}"`, hint: near ? `Did you mean "${near}"?` : `Known keys here: ${known.join(", ")}.` };
    }
    const last = keyPath[keyPath.length - 1];
    return { code: "invalid-field", severity: "error" as const, file, ...(last ? keyLine(text, last) : { line: 1, col: 1 }), message: `${keyPath.join(".") || "config"}: ${issue.message}`, hint: "See docs/CONFIG.md for every key and its default." };
  }) };
}

function knownKeys(keyPath: string[]): string[] {
  let s: z.ZodType = ConfigSchema;
  for (const k of keyPath) {
    const inner = unwrap(s);
    if (inner instanceof z.ZodObject) s = (inner.shape as Record<string, z.ZodType>)[k] ?? s;
  }
  const inner = unwrap(s);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  for (let i = 0; i < 5; i++) {
    const def = (cur as unknown as { def: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const next = def.innerType ?? def.in;
    if (!next) break;
    cur = next;
  }
  return cur;
}

function keyLine(text: string, key: string): { line: number; col: number } {
  const i = text.indexOf(JSON.stringify(key));
  return i === -1 ? { line: 1, col: 1 } : lineCol(text, i);
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, col: offset - before.lastIndexOf("\n") };
}
