// The fallback's file walk: skips hidden entries and symlinks, honours .gitignore files (the
// common subset: globs, `dir/`, `/anchored`, `!negation`), returns sorted root-relative paths.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { globToRegExp } from "../util/index.js";

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
  /** Matches against the path relative to the .gitignore's folder, else against the base name. */
  anchored: boolean;
  base: string;
}

function parseIgnore(text: string, base: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trimEnd();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    line = line.replace(/^\//, "");
    try {
      rules.push({ re: globToRegExp(line), negate, dirOnly, anchored, base });
    } catch {
      // A pattern git would also not understand: skip it rather than fail the walk.
    }
  }
  return rules;
}

function ignored(rules: Rule[], rel: string, isDir: boolean): boolean {
  let out = false;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    const local = r.base ? (rel.startsWith(`${r.base}/`) ? rel.slice(r.base.length + 1) : undefined) : rel;
    if (local === undefined) continue;
    const subject = r.anchored ? local : local.slice(local.lastIndexOf("/") + 1);
    if (r.re.test(subject)) out = !r.negate;
  }
  return out;
}

/** Every non-hidden, non-ignored regular file under root, relative, sorted; at most `max`. */
export async function walkFiles(root: string, max = 200_000): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dirRel: string, inherited: Rule[]): Promise<void> => {
    const abs = dirRel ? path.join(root, dirRel) : root;
    const gi = await readFile(path.join(abs, ".gitignore"), "utf8").catch(() => undefined); // none here
    const rules = gi === undefined ? inherited : [...inherited, ...parseIgnore(gi, dirRel)];
    // A folder removed meanwhile or unreadable is skipped, as git skips what it cannot read.
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= max) return;
      if (e.name.startsWith(".")) continue;
      const rel = dirRel ? `${dirRel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!ignored(rules, rel, true)) await visit(rel, rules);
      } else if (e.isFile() && !ignored(rules, rel, false)) out.push(rel);
    }
  };
  await visit("", []);
  return out.sort();
}
