// The guard's eyes on an attempt (docs/RECONCILER.md, "The guard"): what changed in the checkout
// while each of its sessions ran, from git, judged by attempt-guard.ts. The acceptance tests are
// fixed when the attempt starts, so a worker cannot make a file one by changing its verify.
import { readFile, stat, unlink } from "node:fs/promises";
import { atomicWrite, scopeMatcher } from "../store/index.js";
import path from "node:path";
import type { TaskSpec } from "../spec/index.js";
import { acceptanceTests, judgeChanges, todoTampering, type DesiredLayout, type Judgement, type ScopeRule } from "./attempt-guard.js";
import { changedPaths, fingerprint, type DiffBase } from "./diff.js";

/** Folders and files under `.orchestrator/` that orch itself writes while attempts run. */
const ORCH_OWN = /^\.orchestrator\/(?:(?:state|history|locks|runtime|approvals|inbox|control)\/|\.gitignore$|\.gitattributes$)/;

/** What the watch needs to know besides the task. */
export interface WatchSetup {
  root: string;
  base: Extract<DiffBase, { repo: true }>;
  layout: DesiredLayout;
  /** The verify commands the task is judged by. */
  commands: readonly string[];
  /**
   * The attempt runs in the person's checkout, beside the person and other tasks (today's case):
   * orch's own records, a person's edits of other tasks' lines and files, and paths in other tasks'
   * scopes are not the agent's; TODO.md is judged line by line (todoTampering).
   */
  shared: boolean;
  /**
   * The `files:` scopes of the mission's other open tasks (shared: changes there are theirs; an
   * empty one, a task without a scope, may write anywhere). Asked as each session starts and ends.
   */
  otherScopes(): readonly (readonly string[])[];
  /**
   * In a workspace: seals it (seal.ts) and gives the environment for git there. Called before every
   * snapshot, since what ran since the last one (the agent, verify's code) could write its .git/config.
   */
  sealed?(): Promise<NodeJS.ProcessEnv>;
}

/** The checkout as a session starts: each path that differs from the base, and TODO.md's text. */
interface Snapshot {
  prints: Map<string, string>;
  todo: string;
  /** The task's own task file (undefined: none). */
  own?: string;
}

/** Watches one attempt: `before()` as each session starts, `after()` as it ends. */
export class AttemptWatch {
  private snap?: Snapshot;
  /** Other tasks' scopes seen open since the session started. */
  private others: (readonly string[])[] = [];
  /** The task's own file around the last judged session, when the session changed it. */
  private ownChange?: { file: string; before?: string; after?: string };

  private constructor(
    private readonly s: WatchSetup,
    /** The task's acceptance tests, as they were when the attempt started. */
    readonly protectedAtStart: ReadonlySet<string>,
  ) {}

  /** Fixes the attempt's acceptance tests: the files its verify commands name that exist now. */
  static async start(s: WatchSetup): Promise<AttemptWatch> {
    const candidates = acceptanceTests(s.commands, () => true);
    const files = new Set<string>();
    for (const rel of candidates) if (await stat(path.join(s.root, rel)).then((st) => st.isFile(), () => false)) files.add(rel);
    return new AttemptWatch(s, files);
  }

  /** Takes the snapshot a session's changes are measured against. Throws DiffError when git fails. */
  async before(task: Pick<TaskSpec, "id">): Promise<void> {
    this.others = [...this.s.otherScopes()];
    this.snap = await this.snapshot(`${norm(this.s.layout.tasksDir).replace(/\/+$/, "")}/${task.id}.md`);
  }

  /**
   * Puts back the task's own file as the last judged session found it, unless it changed again
   * since: an edit the session made must not become the task's new spec (a new generation would
   * start it over, as the agent wrote it). True: it was put back.
   */
  async restoreTaskFile(): Promise<boolean> {
    const c = this.ownChange;
    if (!c) return false;
    const file = path.join(this.s.root, c.file);
    if ((await readFile(file, "utf8").catch(() => undefined)) !== c.after) return false;
    if (c.before === undefined) await unlink(file);
    else await atomicWrite(file, c.before);
    return true;
  }

  /** Judges what changed since `before()`, for `task` under `scope`. Throws DiffError when git fails. */
  async after(task: Pick<TaskSpec, "id" | "files" | "editsTests">, scope: ScopeRule): Promise<Judgement> {
    const s = this.s;
    const ownFile = `${norm(s.layout.tasksDir).replace(/\/+$/, "")}/${task.id}.md`;
    const was = this.snap ?? (await this.snapshot(ownFile));
    const now = await this.snapshot(ownFile);
    this.snap = now;
    this.ownChange = was.own !== now.own ? { file: ownFile, before: was.own, after: now.own } : undefined;
    const todoFile = norm(s.layout.todoFile);
    const changed = [...new Set([...was.prints.keys(), ...now.prints.keys()])].filter((p) => was.prints.get(p) !== now.prints.get(p));
    const judged = s.shared ? changed.filter((p) => p !== todoFile && !ORCH_OWN.test(p) && !(isTaskFile(p, s.layout) && p !== ownFile)) : changed;
    // A task open at the session's start or end may have written meanwhile (one that started and
    // ended within the session was open at its start); one without a scope may have written anywhere.
    const scopes = s.shared ? [...this.others, ...s.otherScopes()] : [];
    const anywhere = scopes.some((f) => f.length === 0);
    const others = scopes.filter((f) => f.length).map((f) => scopeMatcher(f));
    const j = judgeChanges(judged, task, s.layout, scope, this.protectedAtStart, (p) => anywhere || others.some((m) => m(p)));
    // In a shared checkout TODO.md is the person's too: only what a person would not do is the agent's.
    // In a workspace every change is the agent's; the same words say what it did.
    const tampered = todoTampering(was.todo, now.todo, task.id, todoFile);
    if (tampered.length) {
      const desired = j.violations.find((v) => v.kind === "desired-state");
      if (desired) {
        desired.paths = [...new Set([...desired.paths, todoFile])].sort();
        desired.details = tampered;
      } else j.violations.unshift({ kind: "desired-state", paths: [todoFile], details: tampered });
    }
    return j;
  }

  /**
   * Judges the workspace's whole change against `base` (its base now), just before it is merged: in
   * a workspace every change is the attempt's, including what verify's code wrote between sessions,
   * which no session's judgement saw. Only its violations count (a warning was said per session).
   */
  async whole(task: Pick<TaskSpec, "files" | "editsTests">, scope: ScopeRule, base: Extract<DiffBase, { repo: true }>): Promise<Judgement> {
    const env = await this.s.sealed?.();
    const j = judgeChanges(await changedPaths(this.s.root, base, env), task, this.s.layout, scope, this.protectedAtStart);
    return { violations: j.violations, warnings: [] };
  }

  private async snapshot(ownFile: string): Promise<Snapshot> {
    const env = await this.s.sealed?.();
    const paths = await changedPaths(this.s.root, this.s.base, env);
    const read = (rel: string) => readFile(path.join(this.s.root, rel), "utf8").catch(() => undefined);
    const [todo, own] = await Promise.all([read(this.s.layout.todoFile), read(ownFile)]);
    return { prints: await fingerprint(this.s.root, paths, env), todo: todo ?? "", ...(own !== undefined ? { own } : {}) };
  }
}

function isTaskFile(p: string, layout: DesiredLayout): boolean {
  return p.startsWith(`${norm(layout.tasksDir).replace(/\/+$/, "")}/`) && p.endsWith(".md");
}

function norm(p: string): string {
  return p.split(path.sep).join("/").replace(/^\.\//, "");
}
