// Text renderings of outlines, symbols and references for packs: compact, one line per symbol.
import type { FileOutline, OutlineSymbol, Reference, SymbolResult } from "./types.js";

const MAX_OUTLINE_LINES = 60;
const MAX_SYMBOL_LINES = 80;

function symbolLines(s: OutlineSymbol, indent: string, out: string[]): void {
  const head = s.signature ?? `${s.kind} ${s.name}`;
  const span = s.range.start.line === s.range.end.line ? `${s.range.start.line}` : `${s.range.start.line}-${s.range.end.line}`;
  out.push(`${indent}${head}  :${span}`);
  for (const c of s.children ?? []) symbolLines(c, `${indent}  `, out);
}

/** A file's outline: its path, then one line per symbol (signature, line span), members indented. */
export function renderOutline(f: FileOutline): string {
  const lines: string[] = [];
  for (const s of f.symbols) symbolLines(s, "", lines);
  const shown = lines.slice(0, MAX_OUTLINE_LINES);
  if (lines.length > shown.length) shown.push(`… ${lines.length - shown.length} more symbols`);
  const note = f.partial ? " (has syntax errors: partial)" : "";
  return `### ${f.path}${note}\n${shown.join("\n") || "(no declarations)"}\n`;
}

/** One symbol's source in a fenced block, cut to MAX_SYMBOL_LINES. */
export function renderSymbol(s: SymbolResult, language: string): string {
  const lines = s.text.split("\n");
  const body = lines.length > MAX_SYMBOL_LINES ? [...lines.slice(0, MAX_SYMBOL_LINES), `… (${lines.length - MAX_SYMBOL_LINES} more lines)`] : lines;
  return `### ${s.path}:${s.range.start.line} ${s.kind} ${s.name}\n\`\`\`${language}\n${body.join("\n")}\n\`\`\`\n`;
}

/** Where a name is used: `path:line: text`, at most `max` lines. */
export function renderReferences(name: string, refs: Array<Pick<Reference, "path" | "line" | "text">>, max = 15): string {
  const shown = refs.slice(0, max).map((r) => `${r.path}:${r.line}: ${r.text.trim()}`);
  const more = refs.length > max ? `\n… ${refs.length - max} more` : "";
  return `### uses of \`${name}\`\n${shown.join("\n")}${more}\n`;
}

/** Language tag for a fenced block, from a file extension. */
export function fenceLanguage(p: string): string {
  const ext = p.slice(p.lastIndexOf(".") + 1);
  return ({ ts: "ts", mts: "ts", cts: "ts", tsx: "tsx", js: "js", mjs: "js", cjs: "js", jsx: "jsx", py: "python", rs: "rust", go: "go" } as Record<string, string>)[ext] ?? "";
}
