// CodeTools in plain TypeScript for machines without orch-native: grep and glob only (no syntax
// trees, so no outline, references or symbol). Slower, same reply shapes.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { OrchError, globMatcher } from "../util/index.js";
import type { CodeTools, GlobResult, GrepMatch, GrepOptions, GrepResult } from "./types.js";
import { walkFiles } from "./walk.js";

/** Same cap as orch-native's default: larger files are skipped and reported. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_LINE = 300;

/** The TypeScript fallback for one root. */
export class FallbackTools implements CodeTools {
  readonly kind = "fallback" as const;
  constructor(readonly root: string) {}

  async glob(patterns: string[], max = 100_000): Promise<GlobResult> {
    const match = compile(patterns);
    const all = (await walkFiles(this.root)).filter(match);
    return { paths: all.slice(0, max), truncated: all.length > max };
  }

  async grep(o: GrepOptions): Promise<GrepResult> {
    let re: RegExp;
    try {
      re = new RegExp(o.pattern, `gm${o.caseInsensitive ? "i" : ""}`);
    } catch (err) {
      throw new OrchError("bad-pattern", `bad pattern: ${(err as Error).message}`);
    }
    const max = o.maxResults ?? 10_000;
    const files = (await walkFiles(this.root)).filter(compile(o.globs ?? []));
    const matches: GrepMatch[] = [];
    const skipped: GrepResult["skipped"] = [];
    let searched = 0;
    for (const rel of files) {
      if (matches.length > max) break; // One past the limit: `truncated` is then exact.
      const abs = path.join(this.root, rel);
      const size = (await stat(abs)).size;
      if (size > MAX_FILE_BYTES) {
        skipped.push({ path: rel, reason: `too large: ${size} bytes (limit ${MAX_FILE_BYTES})` });
        continue;
      }
      const buf = await readFile(abs);
      if (buf.includes(0)) {
        skipped.push({ path: rel, reason: "binary" });
        continue;
      }
      searched++;
      matches.push(...searchText(re, buf.toString("utf8"), rel));
    }
    return { matches: matches.slice(0, max), truncated: matches.length > max, filesSearched: searched, skipped };
  }

  async close(): Promise<void> {}
}

function compile(patterns: string[]): (rel: string) => boolean {
  try {
    return globMatcher(patterns);
  } catch (err) {
    throw new OrchError("bad-glob", (err as Error).message);
  }
}

/** One match per matching line, 1-based line and column (columns in UTF-16 units here). */
function searchText(re: RegExp, text: string, rel: string): GrepMatch[] {
  const out: GrepMatch[] = [];
  re.lastIndex = 0;
  let line = 1;
  let counted = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const at = m.index;
    for (let i = text.indexOf("\n", counted); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) line++;
    counted = at;
    const start = text.lastIndexOf("\n", at - 1) + 1;
    const endNl = text.indexOf("\n", at);
    const end = endNl < 0 ? text.length : endNl;
    const lineText = text.slice(start, end).replace(/\r$/, "");
    out.push({ path: rel, line, column: at - start + 1, text: lineText.length > MAX_LINE ? `${lineText.slice(0, MAX_LINE)}…` : lineText });
    re.lastIndex = end + 1;
    if (end >= text.length) break;
  }
  return out;
}
