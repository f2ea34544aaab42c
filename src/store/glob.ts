// Whether a path is inside a task's scope (its `files:` entries, util/glob.ts's scopeGlobs: the
// entries as globs, and the paths they name literally, with everything below them).
import { globMatcher, scopeGlobs } from "../util/index.js";

/** The scope's matcher, compiled once; an empty scope (or only `!` entries) holds nothing. */
export function scopeMatcher(files: readonly string[]): (file: string) => boolean {
  const globs = scopeGlobs(files);
  return globs.some((g) => !g.startsWith("!")) ? globMatcher(globs) : () => false;
}
