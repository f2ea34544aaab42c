// Context packs: for one task, gather what it points at (scope globs, names in its text, files
// its deps changed, references of those names), rank, fit a token budget, render compact text.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Mission, TaskSpec } from "../spec/index.js";
import { fitItems, item, readingOrder, type PackItem } from "./fit.js";
import { fenceLanguage, renderOutline, renderReferences, renderSymbol } from "./render.js";
import { cutDefinition, definitionPattern } from "./snippet.js";
import { extractTerms } from "./terms.js";
import { estimateTokens } from "./tokens.js";
import type { CodeTools, Reference } from "./types.js";
import { literalGlob, scopeGlobs } from "../util/index.js";

/** What the worker sees: text, its token estimate, the items it is made of, and a baseline. */
export interface ContextPack {
  text: string;
  tokens: number;
  items: PackItem[];
  /**
   * Tokens of the whole files in the task's scope (and changed files): the no-pack baseline.
   * Only measured (every such file read) when PackOptions.measureWholeFiles is set.
   */
  wholeFileTokens?: number;
  /** Tool calls that failed, whose items were left out (e.g. "references Foo: orch-native exited"). */
  warnings: string[];
}

/** Pack options: the budget (config.context.tokenBudget) and files the task's deps changed. */
export interface PackOptions {
  tokenBudget: number;
  changedFiles?: string[];
  /** Also read the whole scope and changed files to fill wholeFileTokens (default false: reports only). */
  measureWholeFiles?: boolean;
}

const MAX_FILES = 200;
const MAX_DEFS_PER_NAME = 2;
const MAX_BODIES = 8;

/** Whether `task`'s context pack looks anything up (a scope, a path or an identifier): needs code tools. */
export function packNeedsTools(task: TaskSpec): boolean {
  const terms = extractTerms(`${task.title}\n${task.body}`);
  return task.files.length > 0 || terms.paths.length > 0 || terms.identifiers.length > 0;
}

/**
 * Builds the context pack for `task`. A failing outline/references/symbol call (a crashed or
 * timed-out process, a file that went away) drops those items instead of failing the pack; only
 * the scope glob is required.
 */
export async function buildContextPack(task: TaskSpec, mission: Mission, codeTools: CodeTools | (() => Promise<CodeTools>), opts: PackOptions): Promise<ContextPack> {
  const terms = extractTerms(`${task.title}\n${task.body}`);
  // Opened on first use: a task that names no scope, path or identifier opens nothing.
  let opened: CodeTools | undefined;
  const tools = async () => (opened ??= typeof codeTools === "function" ? await codeTools() : codeTools);
  const warnings: string[] = [];
  /** The value, or undefined when the call failed (noted in warnings): one item must not cost the pack. */
  const soft = <T>(what: string, p: Promise<T>): Promise<T | undefined> =>
    p.catch((err: unknown) => {
      warnings.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
  // No `files:`: the paths its title names are its scope ("Fix `src/lib`" means that folder).
  const seeds = task.files.length ? task.files : extractTerms(task.title).paths;
  const scope = seeds.length ? (await (await tools()).glob(scopeGlobs(seeds))).paths.slice(0, MAX_FILES) : [];
  const scopeReason = task.files.length ? "in scope" : "named in the title";
  const asked = [...terms.paths, ...(opts.changedFiles ?? [])].filter(Boolean).map(literalGlob);
  // glob([]) would list every file: ask only when there is something to check.
  const existing = new Set(asked.length ? (await (await tools()).glob(asked)).paths : []);
  const changed = (opts.changedFiles ?? []).filter((p) => existing.has(p));
  const mentioned = terms.paths.filter((p) => existing.has(p));

  // The task's own text mentions every name: text searches leave TODO.md and task files out.
  const notSpec = [mission.todoFile, ...mission.tasks.flatMap((t) => (t.file ? [t.file] : []))].map((f) => `!${literalGlob(f)}`);
  const refs = new Map<string, Reference[]>();
  const grepOnly = new Map<string, Reference[]>();
  for (const name of terms.identifiers) {
    const code = await tools();
    if (code.references) refs.set(name, (await soft(`references ${name}`, code.references(name)))?.references ?? []);
    else {
      const g = await soft(`grep ${name}`, code.grep({ pattern: `\\b${name.replace(/[$]/g, "\\$")}\\b`, globs: notSpec, maxResults: 50 }));
      grepOnly.set(name, (g?.matches ?? []).map((m) => ({ ...m, definition: false })));
    }
  }

  const weight = new Map<string, { score: number; reason: string }>();
  const bump = (p: string, score: number, reason: string) => {
    const cur = weight.get(p);
    if (!cur || cur.score < score) weight.set(p, { score, reason });
  };
  for (const p of scope) bump(p, 6, scopeReason);
  for (const p of mentioned) bump(p, 8, "named in the task");
  for (const p of changed) bump(p, 8, "changed by a dep");
  const defs: Array<{ path: string; name: string }> = [];
  for (const [name, rs] of refs) {
    const d = rs.filter((r) => r.definition).sort((a, b) => Number(weight.has(b.path)) - Number(weight.has(a.path)) || Number(isTest(a.path)) - Number(isTest(b.path)));
    for (const r of d.slice(0, MAX_DEFS_PER_NAME)) {
      defs.push({ path: r.path, name });
      bump(r.path, 4, `defines \`${name}\``);
    }
  }

  const items: PackItem[] = [];
  const files = [...weight.keys()].sort().slice(0, MAX_FILES);
  if (scope.length) items.push(item("files", `## Files ${scopeReason} (${scope.length})\n${scope.join("\n")}\n`, 20, "scope list"));
  const forOutlines = files.length ? await tools() : undefined;
  if (forOutlines?.outline) {
    const hits = countHits(refs);
    for (const f of (await soft("outline", forOutlines.outline(files))) ?? []) {
      if (f.error) continue;
      const w = weight.get(f.path)!;
      items.push(item("outline", renderOutline(f), w.score + Math.min(2, 0.25 * (hits.get(f.path) ?? 0)), w.reason, { path: f.path }));
    }
  }
  const forBodies = terms.identifiers.length ? await tools() : undefined;
  if (forBodies?.symbol) {
    for (const d of defs.slice(0, MAX_BODIES)) {
      const s = await soft(`symbol ${d.path} ${d.name}`, forBodies.symbol(d.path, d.name));
      if (!s) continue;
      const score = weight.get(d.path)!.score >= 6 ? 12 : 10;
      items.push(item("symbol", renderSymbol(s, fenceLanguage(d.path)), score, `defines \`${d.name}\``, { path: d.path, name: d.name }));
    }
  } else if (forBodies) {
    // Fallback: find each name's declaration by keyword and cut it out by braces or indentation.
    for (const name of terms.identifiers.slice(0, MAX_BODIES)) {
      const g = await soft(`grep ${name}`, forBodies.grep({ pattern: definitionPattern(name), globs: notSpec, maxResults: 5 }));
      const m = g?.matches.sort((a, b) => Number(isTest(a.path)) - Number(isTest(b.path)))[0];
      if (!m) continue;
      // Removed since the grep found it: that definition is left out, like a failed soft() call.
      const src = await readFile(path.join(mission.root, m.path), "utf8").catch(() => undefined);
      if (src === undefined) continue;
      const cut = cutDefinition(src, m.line);
      const score = weight.has(m.path) ? 12 : 10;
      const s = { path: m.path, name, kind: "definition", range: { start: { line: m.line, column: 1 }, end: { line: cut.endLine, column: 1 } }, text: cut.text, truncated: false };
      items.push(item("symbol", renderSymbol(s, fenceLanguage(m.path)), score, `defines \`${name}\``, { path: m.path, name }));
    }
  }
  for (const [name, rs] of [...refs, ...grepOnly]) {
    const uses = rs.filter((r) => !r.definition);
    if (uses.length) items.push(item("references", renderReferences(name, uses), 3, `uses of \`${name}\``, { name }));
  }

  const header = `# Context for ${task.id}: ${task.title}\n`;
  const chosen = readingOrder(fitItems(items, Math.max(0, opts.tokenBudget - estimateTokens(header) - 40)));
  const body = chosen.map((i) => i.text).join("\n");
  const footer = chosen.length < items.length ? `\n(${items.length - chosen.length} more items left out to fit ${opts.tokenBudget} tokens)\n` : "";
  const text = `${header}\n${body}${footer}`;
  const pack: ContextPack = { text, tokens: estimateTokens(text), items: chosen, warnings };
  if (opts.measureWholeFiles) pack.wholeFileTokens = await wholeTokens(mission.root, [...new Set([...scope, ...changed])]);
  return pack;
}

function countHits(refs: Map<string, Reference[]>): Map<string, number> {
  const hits = new Map<string, number>();
  for (const rs of refs.values()) for (const r of rs) hits.set(r.path, (hits.get(r.path) ?? 0) + 1);
  return hits;
}

function isTest(p: string): boolean {
  return /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[jt]sx?$/.test(p);
}

async function wholeTokens(root: string, files: string[]): Promise<number> {
  let n = 0;
  // A measurement only (the no-pack baseline): a file gone meanwhile counts for nothing.
  for (const f of files) n += estimateTokens(await readFile(path.join(root, f), "utf8").catch(() => ""));
  return n;
}
