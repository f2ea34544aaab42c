// Without syntax trees (the fallback), a definition is found by a keyword regex and cut out by
// brace depth, or by indentation for Python-like code. Pure over the file's text.

const MAX_LINES = 40;

/** A regex source matching a line that declares `name` (TS/JS, Python, Rust, Go keywords). */
export function definitionPattern(name: string): string {
  const n = name.replace(/[$]/g, "\\$");
  return `\\b(class|interface|function|type|enum|const|let|var|def|fn|struct|trait|func|namespace)(?:\\s+|\\s*\\*\\s*)${n}\\b`;
}

/** The declaration starting at 1-based `line`: up to its closing brace (or dedent), at most MAX_LINES. */
export function cutDefinition(text: string, line: number): { text: string; endLine: number } {
  const lines = text.split("\n");
  const start = line - 1;
  const indent = (l: string) => l.length - l.trimStart().length;
  let depth = 0;
  let opened = false;
  let end = start;
  for (let i = start; i < lines.length && i < start + MAX_LINES; i++) {
    const l = lines[i]!;
    end = i;
    for (const ch of l) {
      if (ch === "{") {
        depth++;
        opened = true;
      } else if (ch === "}") depth--;
    }
    if (opened && depth <= 0) break;
    // No brace on the first lines: an indentation block (Python) ends at the next line not deeper.
    if (!opened && i > start && l.trim() && indent(l) <= indent(lines[start]!) && !/[:(,]\s*$/.test(lines[i - 1]!)) {
      end = i - 1;
      break;
    }
    if (!opened && i === start && /;\s*$/.test(l)) break;
  }
  return { text: lines.slice(start, end + 1).join("\n"), endLine: end + 1 };
}
