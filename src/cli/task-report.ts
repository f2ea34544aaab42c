// Everything `orch show <id>` reports about one task, gathered read-only from the files: its state
// record, its history, and the git commits that carry its Task-Id trailer.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Config, TaskSpec } from "../spec/index.js";
import { taskById } from "./repo.js";
import { readRepo } from "./commands/validate.js";
import { FileJournal, DEFAULT_LOCK_OPTIONS, StorePaths, spendOf, type TaskSpend, readOnlyTaskStates } from "../store/index.js";
import type { TaskState, HistoryEvent } from "../store/index.js";

const run = promisify(execFile);

/** One session of the task, with the command that opens it in OpenCode. */
interface SessionReport {
  id: string;
  role: string;
  attempt: number;
  startedAt: string;
  endedAt?: string;
  outcome?: string;
  tokens?: number;
  costUsd?: number;
  /** The agent's last words (the last line of its final answer). */
  said?: string;
  open: string;
}

/** What changed: the task's commits, or why there are none. */
type DiffReport = { commits: { sha: string; subject: string; patch: string }[] } | { commits: []; note: string };

/** The report of `orch show`. */
export interface TaskReport {
  id: string;
  title: string;
  checked: boolean;
  phase?: string;
  attempts: number;
  lastError?: TaskState["lastError"];
  diff: DiffReport;
  verify?: TaskState["lastVerify"];
  review?: TaskState["lastReview"];
  sessions: SessionReport[];
  spend: TaskSpend;
  /** The state record could not be read (its path): the rest comes from the history. */
  damagedRecord?: string;
}

/** The report of task `id` as the files say now (the board's task details); OrchError "unknown-task" when there is none. */
export async function taskDetails(root: string, id: string): Promise<TaskReport> {
  const { mission, config } = await readRepo(root);
  return taskReport(root, config, taskById(mission, id));
}

/** Gathers the report of task `t` in the mission at `root`. */
export async function taskReport(root: string, config: Config, t: TaskSpec): Promise<TaskReport> {
  const { state, damaged } = await readState(root, t.id);
  const history = (await new FileJournal(new StorePaths(root), DEFAULT_LOCK_OPTIONS).readDetailed(t.id)).events;
  return {
    id: t.id,
    title: t.title,
    checked: t.checked,
    ...(state ? { phase: state.phase, lastError: state.lastError } : {}),
    attempts: state?.attempts ?? 0,
    diff: await taskDiff(root, t.id),
    verify: state?.lastVerify,
    review: state?.lastReview,
    sessions: sessions(root, config, state, history),
    spend: spendOf(history).tasks[t.id] ?? { tokens: 0, costUsd: 0, roles: {} },
    ...(damaged ? { damagedRecord: damaged } : {}),
  };
}

/** The task's state record through the store's repository; a damaged one is named, not repaired (show only reads). */
async function readState(root: string, id: string): Promise<{ state?: TaskState; damaged?: string }> {
  const found = await readOnlyTaskStates(root).inspect(id);
  return !found ? {} : "state" in found ? { state: found.state } : { damaged: found.damaged };
}

/**
 * The sessions the record lists (worker, fixer, …) and the reviewer's, which the history names, in
 * the order they started; each with its figures and last words from the history.
 */
function sessions(root: string, config: Config, state: TaskState | undefined, history: HistoryEvent[]): SessionReport[] {
  const out = new Map<string, SessionReport>();
  for (const s of state?.sessions ?? []) out.set(s.id, { ...s, open: openCommand(root, config, s.id) });
  for (const e of history) {
    if (!e.session) continue;
    const cur = out.get(e.session) ?? { id: e.session, role: e.role ?? (e.kind === "review" ? "reviewer" : "worker"), attempt: e.attempt ?? 0, startedAt: e.at, open: openCommand(root, config, e.session) };
    if (e.tokens !== undefined || e.costUsd !== undefined) {
      cur.tokens = (cur.tokens ?? 0) + (e.tokens ?? 0);
      cur.costUsd = (cur.costUsd ?? 0) + (e.costUsd ?? 0);
    }
    if (e.kind === "review") {
      cur.endedAt ??= e.at;
      cur.outcome ??= e.verdict ?? (e.error ? "error" : undefined);
    }
    if (typeof e.detail?.said === "string") cur.said = e.detail.said;
    out.set(e.session, cur);
  }
  return [...out.values()].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}

/**
 * The command that opens a session in OpenCode's terminal UI: attached to the configured server,
 * else a local OpenCode in the repository (the server orch starts keeps its sessions where a local
 * one finds them; for the demo model's isolated server, under .orchestrator/runtime/server/home).
 */
function openCommand(root: string, config: Config, sessionId: string): string {
  const q = (s: string) => (/^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  if (config.server.url) return `opencode attach ${q(config.server.url)} --dir ${q(root)} --session ${q(sessionId)}`;
  const home = path.join(root, ".orchestrator", "runtime", "server", "home");
  const env = existsSync(home) ? `XDG_DATA_HOME=${q(path.join(home, "data"))} ` : "";
  return `${env}opencode ${q(root)} --session ${q(sessionId)}`;
}

/**
 * The commits whose message carries `Task-Id: <id>` (per-task commits, config git.commit "task"),
 * newest first, each with its patch; without any, what there is instead.
 */
async function taskDiff(root: string, id: string): Promise<DiffReport> {
  let shas: string[];
  try {
    const log = await run("git", ["log", "--format=%H", "-E", `--grep=^Task-Id: ${id.replace(/[.]/g, "\\.")}$`], { cwd: root, maxBuffer: 4 << 20 });
    shas = log.stdout.split("\n").filter(Boolean);
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim().split("\n")[0] ?? String(err);
    return { commits: [], note: `no git history to read here (${why})` };
  }
  if (shas.length === 0)
    return {
      commits: [],
      note: `no commit carries "Task-Id: ${id}": per-task commits are off (config git.commit: "task" turns them on), or the task has not finished. Its changes, if any, are in the working tree with everyone's: git diff`,
    };
  const commits = [];
  for (const sha of shas) {
    // The task's own state and history files ride in its commit: not part of what it changed.
    const show = await run("git", ["show", "--format=%h %s", "--stat", "--patch", "--no-color", sha, "--", ".", ":(exclude).orchestrator"], { cwd: root, maxBuffer: 16 << 20 });
    const [subject = "", ...rest] = show.stdout.split("\n");
    commits.push({ sha, subject, patch: rest.join("\n").trim() });
  }
  return { commits };
}
