// Scope globs of a task (`files:` in its front matter) as path matchers: `**` crosses folders,
// `*` and `?` do not, `{a,b}` is a choice; a plain path also covers everything under it.

/** Compiles one glob (relative, '/'-separated) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/^\.\//, "");
  if (!/[*?{[]/.test(g)) g = `${g.replace(/\/+$/, "")}{,/**}`; // a plain path: itself or below
  let re = "";
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*" && g[i + 1] === "*") {
      const slash = g[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") re += "(?:";
    else if (c === "}") re += ")";
    else if (c === "," && re.lastIndexOf("(?:") > re.lastIndexOf(")")) re += "|";
    else re += c.replace(/[.+^$()|\\[\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Whether a relative path falls within any of the globs. */
export function inScope(file: string, globs: string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(file));
}
