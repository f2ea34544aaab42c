// Scope globs of a task (`files:` in its front matter) as path matchers: orch's one glob dialect
// (util/glob.ts), where a plain path also covers everything under it.
import { globToRegExp } from "../util/glob.js";

/** Compiles one scope glob (relative, '/'-separated) to an anchored RegExp. */
export function scopeRegExp(glob: string): RegExp {
  let g = glob.replace(/^\.\//, "");
  if (!/[*?{[]/.test(g)) g = `${g.replace(/\/+$/, "")}{,/**}`; // a plain path: itself or below
  return globToRegExp(g);
}

/** Whether a relative path falls within any of the globs. */
export function inScope(file: string, globs: string[]): boolean {
  return globs.some((g) => scopeRegExp(g).test(file));
}
