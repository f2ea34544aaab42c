// Pulls what a task's text points at: code identifiers (backticked, camelCase, PascalCase with an
// inner capital, snake_case) and repository paths. Pure.

const STOP = new Set(["TypeScript", "JavaScript", "OpenCode", "GitHub", "README", "TODO", "JSON", "YAML", "JSONL", "npm", "orch"]);
const PATHLIKE = /^[\w.@-]+(\/[\w.@-]+)+$|^[\w.-]+\.(ts|tsx|js|mjs|cjs|jsx|py|rs|go|json|md)$/;
const CODEY = /^(?:[a-z_$][a-z0-9_$]*[A-Z][A-Za-z0-9_$]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9_$]*|[a-z][a-z0-9]*_[a-z0-9_]+)$/;

/** Identifiers and paths a task mentions, in order of first mention. */
export interface Terms {
  identifiers: string[];
  paths: string[];
}

/** Extracts identifiers and paths from a task's title and body; at most `max` identifiers. */
export function extractTerms(text: string, max = 12): Terms {
  const ids: string[] = [];
  const paths: string[] = [];
  const addId = (w: string) => {
    if (w.length >= 3 && !STOP.has(w) && !ids.includes(w)) ids.push(w);
  };
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1]!.trim();
    if (PATHLIKE.test(span)) {
      if (!paths.includes(span)) paths.push(span);
      continue;
    }
    // `Foo.bar(x)` → Foo, bar; keep identifier-shaped parts only.
    for (const w of span.split(/[^A-Za-z0-9_$]+/)) if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(w) && !/^[a-z]+$/.test(w) || CODEY.test(w)) addId(w);
  }
  const prose = text.replace(/`[^`\n]*`/g, " ");
  for (const m of prose.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*(?:\/[\w.-]+)*/g)) {
    const w = m[0].replace(/[.,;:-]+$/, "");
    if (w.includes("/")) {
      if (PATHLIKE.test(w) && !paths.includes(w)) paths.push(w);
    } else if (CODEY.test(w)) addId(w);
  }
  return { identifiers: ids.slice(0, max), paths };
}
