// orch's one glob dialect, gitignore-style as orch-native's: `*` and `?` stay inside one folder,
// `**` crosses folders, `{a,b}` alternates, `[...]` is a class, `!` (handled by callers) excludes.
// Task scopes (`files:`), context packs and the fallback code tools all read globs this way.

/** Compiles one glob (without a leading `!`) into an anchored RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^\.\//, "");
  let re = "";
  let depth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*") {
      if (g[i + 1] === "*") {
        const slashAfter = g[i + 2] === "/";
        const atStart = i === 0 || g[i - 1] === "/";
        if (atStart && slashAfter) {
          re += "(?:.*/)?";
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      // orch-native (globset) refuses alternatives inside alternatives: so does this dialect.
      if (depth > 0) throw new Error(`bad glob ${JSON.stringify(glob)}: a { inside a {…} (nested alternatives are not allowed)`);
      re += "(?:";
      depth++;
    } else if (c === "}" && depth > 0) {
      re += ")";
      depth--;
    } else if (c === "," && depth > 0) re += "|";
    else if (c === "[") {
      const end = g.indexOf("]", i + 1);
      if (end < 0) throw new Error(`bad glob ${JSON.stringify(glob)}: unclosed [`);
      re += `[${g.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  if (depth > 0) throw new Error(`bad glob ${JSON.stringify(glob)}: unclosed {`);
  return new RegExp(`^${re}$`);
}

/** Matches paths against include and `!`-exclude patterns; no includes selects everything. */
export function globMatcher(patterns: string[]): (rel: string) => boolean {
  const inc = patterns.filter((p) => !p.startsWith("!")).map(globToRegExp);
  const exc = patterns.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
  return (rel) => (inc.length === 0 || inc.some((r) => r.test(rel))) && !exc.some((r) => r.test(rel));
}

/** What is wrong with a glob (an unclosed `[` or `{`), or undefined when it compiles. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^bad glob "(?:[^"\\]|\\.)*": /, "");
  }
}
