// orch's one glob dialect, gitignore-style as orch-native's (globset): `*` and `?` stay inside one
// folder, `**` as a whole path segment crosses folders (elsewhere it is a `*`), `{a,b}` alternates
// (not nested), `[...]` is a class (`[!...]` or `[^...]` negated, a `]` first in it is literal),
// `!` (handled by callers) excludes. Context packs and the fallback code tools read globs this way,
// and so does the scope check of a task's `files:` (store/glob.ts, which adds literal paths).

/** Compiles one glob (without a leading `!`) into an anchored RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  const out = compile(glob);
  if (typeof out === "string") throw new Error(`bad glob ${JSON.stringify(glob)}: ${out}`);
  return out;
}

/** What is wrong with a glob (e.g. an unclosed `[` or `{`), or undefined when it compiles. */
export function globProblem(glob: string): string | undefined {
  const out = compile(glob);
  return typeof out === "string" ? out : undefined;
}

/** Matches paths against include and `!`-exclude patterns; no includes selects everything. */
export function globMatcher(patterns: string[]): (rel: string) => boolean {
  const inc = patterns.filter((p) => !p.startsWith("!")).map(globToRegExp);
  const exc = patterns.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
  return (rel) => (inc.length === 0 || inc.some((r) => r.test(rel))) && !exc.some((r) => r.test(rel));
}

/** The RegExp, or what is wrong with the glob. */
function compile(glob: string): RegExp | string {
  const g = glob.replace(/^\.\//, "");
  let re = "";
  let depth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*") {
      if (g[i + 1] !== "*") re += "[^/]*";
      else {
        const segmentStart = i === 0 || g[i - 1] === "/";
        if (segmentStart && g[i + 2] === "/") re += "(?:.*/)?"; // `**/`: any folders, or none
        else if (segmentStart && i + 2 === g.length) re += ".*"; // a trailing `**`: everything below
        else re += "[^/]*"; // `**` inside a segment is a `*`
        i += g[i + 2] === "/" && segmentStart ? 2 : 1;
      }
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      if (depth > 0) return "a { inside a {…} (nested alternatives are not allowed)";
      re += "(?:";
      depth++;
    } else if (c === "}" && depth > 0) {
      re += ")";
      depth--;
    } else if (c === "," && depth > 0) re += "|";
    else if (c === "[") {
      let j = i + 1;
      const negated = g[j] === "!" || g[j] === "^";
      if (negated) j++;
      const first = j;
      if (g[j] === "]") j++; // `[]]`, `[!]]`: a `]` first in a class is itself
      const end = g.indexOf("]", j);
      if (end < 0) return "unclosed [";
      re += `[${negated ? "^" : ""}${g.slice(first, end).replace(/[\\\]]/g, "\\$&")}]`;
      i = end;
    } else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  if (depth > 0) return "unclosed {";
  return new RegExp(`^${re}$`);
}

/** A literal path as a glob: its glob characters each made a one-character class. */
export function literalGlob(p: string): string {
  return p.replace(/[[\]{}*?]/g, "[$&]");
}

/**
 * The globs a task's `files:` entries stand for: each entry as a glob and, as well, the path it
 * names literally, itself and everything below it. So `src/lib` is that folder, and
 * `app/[id]/page.tsx` is that file (a route folder named with brackets), though `[id]` alone
 * would be a class. `!` entries exclude, as in any glob list.
 */
export function scopeGlobs(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    out.add(f);
    if (f.startsWith("!")) continue;
    const literal = literalGlob(f.replace(/^\.\//, "").replace(/\/+$/, ""));
    out.add(literal).add(`${literal}/**`);
  }
  return [...out];
}
