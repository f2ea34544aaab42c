// What an attempt may not change (docs/RECONCILER.md, "The guard"): the desired state (TODO.md, task
// files, `.orchestrator/`), the acceptance tests it is judged by, and files outside its `files:`
// scope. Pure: the paths come from git (diff.ts), the call site is attempt.ts.
import path from "node:path";
import type { TaskSpec } from "../spec/index.js";
import { taskLines } from "../spec/index.js";
import { scopeMatcher } from "../store/index.js";

/** What kind of path an attempt changed and must not have. The kinds of forbidden change; "changed-after-verify" is found at the merge (workspace/integrate.ts), not by judgeChanges. */
export type ViolationKind = "desired-state" | "acceptance-test" | "out-of-scope" | "changed-after-verify";

/** One kind of forbidden change, with the paths (relative to the mission root, sorted). */
export interface Violation {
  kind: ViolationKind;
  paths: string[];
  /** What was done to TODO.md, when that is known line by line (e.g. "T1's box ticked"). */
  details?: string[];
}

/** What `outOfScope` does with a change outside the task's scope (config). */
export type ScopeRule = "fail" | "warn" | "allow";

/** Where the desired state lives (config `todo`, `tasksDir`). */
export interface DesiredLayout {
  todoFile: string;
  tasksDir: string;
}

/** The judgement: violations fail the attempt; warnings (out-of-scope under "warn") are only said. */
export interface Judgement {
  violations: Violation[];
  warnings: Violation[];
}

/** Whether `rel` is desired state: TODO.md, a task file, or anything under `.orchestrator/`. */
function isDesiredState(rel: string, layout: DesiredLayout): boolean {
  const tasks = norm(layout.tasksDir).replace(/\/+$/, "");
  return rel === norm(layout.todoFile) || rel === ".orchestrator" || rel.startsWith(".orchestrator/") || (rel.startsWith(`${tasks}/`) && rel.endsWith(".md"));
}

/**
 * Judges the paths an attempt changed (relative to the mission root). A path is one kind only, the
 * first that fits: desired state, then an acceptance test (`protectedAtStart`, unless the task
 * `editsTests`), then outside the scope (only a task with a `files:` scope has one). `ignored`:
 * paths that are someone else's to change (another task's scope, in a shared checkout).
 */
export function judgeChanges(
  changed: readonly string[],
  task: Pick<TaskSpec, "files" | "editsTests">,
  layout: DesiredLayout,
  scope: ScopeRule,
  protectedAtStart: ReadonlySet<string>,
  ignored: (rel: string) => boolean = () => false,
): Judgement {
  const inScope = task.files.length ? scopeMatcher(task.files) : () => true;
  const found: Record<Exclude<ViolationKind, "changed-after-verify">, string[]> = { "desired-state": [], "acceptance-test": [], "out-of-scope": [] };
  for (const p of [...new Set(changed.map(norm))].sort()) {
    if (isDesiredState(p, layout)) found["desired-state"].push(p);
    else if (protectedAtStart.has(p) && !task.editsTests) found["acceptance-test"].push(p);
    else if (!inScope(p) && !ignored(p)) found["out-of-scope"].push(p);
  }
  const of = (kind: keyof typeof found): Violation[] => (found[kind].length ? [{ kind, paths: found[kind] }] : []);
  const outside = scope === "allow" ? [] : of("out-of-scope");
  return { violations: [...of("desired-state"), ...of("acceptance-test"), ...(scope === "fail" ? outside : [])], warnings: scope === "warn" ? outside : [] };
}

/**
 * The acceptance tests of a task: the paths its verify commands name that are files inside the
 * root when the attempt starts (`isFile` answers for a root-relative path). `node --test
 * test/a.test.js` names `test/a.test.js`; words that are no such file (`node`, `--test`) are not.
 */
export function acceptanceTests(commands: readonly string[], isFile: (rel: string) => boolean): string[] {
  const out = new Set<string>();
  for (const c of commands)
    for (const word of shellWords(c)) {
      // `--file=x`: the value may be the path.
      for (const w of [word, word.includes("=") ? word.slice(word.indexOf("=") + 1) : ""]) {
        if (!w || w.startsWith("-") || path.isAbsolute(w)) continue;
        const rel = norm(path.posix.normalize(w));
        if (rel === "." || rel.startsWith("../") || rel === "..") continue;
        if (isFile(rel)) out.add(rel);
      }
    }
  return [...out].sort();
}

/**
 * What an agent's session did to the task lines of TODO.md (`before` → `after`), as far as it can
 * be told from a person's edits in a shared checkout: the task's own box ticked (only orch checks a
 * running task's box on success), or a task's line removed. Reworded or added lines, and other boxes
 * (orch checks those as other tasks succeed), are not judged.
 */
export function todoTampering(before: string, after: string, taskId: string, file: string): string[] {
  if (before === after) return [];
  const was = taskLines(before, file);
  const now = taskLines(after, file);
  const out: string[] = [];
  if (was.get(taskId)?.checked === false && now.get(taskId)?.checked === true) out.push(`${taskId}'s box ticked`);
  for (const id of was.keys()) if (!now.has(id)) out.push(`${id}'s line removed`);
  return out;
}

/** Splits a shell command into words, quotes removed (enough to find the paths it names). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s;&|<>()'"]+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? "");
  return words;
}

function norm(p: string): string {
  return p.split(path.sep).join("/").replace(/^\.\//, "");
}
