// The board's inputs, read from the files (read-only: nothing under .orchestrator/ is written or
// repaired here), then built by board.ts. Both `orch watch --ui` and `orch ui` read the board this way.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { loadConfig, loadMission, type Config, type SpecCache } from "../spec/index.js";
import { DEFAULT_LOCK_OPTIONS, FileJournal, InboxFiles, StorePaths, readOnlyTaskStates, type TaskState } from "../store/index.js";
import { formatProblem } from "../util/index.js";
import { workspaceHolders } from "../workspace/index.js";
import { buildBoard } from "./board.js";
import type { Board } from "./wire.js";

/** What a board read needs besides the files. */
export interface BoardReadOptions {
  root: string;
  live: boolean;
  /** Task id → merge commit, from the loop's merge events. */
  merged: ReadonlyMap<string, string>;
  now: () => number;
  cache: SpecCache;
  /** The models this run uses when they are not the config's (`--demo`). */
  models?: Config["models"];
}

/** Reads the mission, every task's record and the history, and builds the board. */
export async function readBoard(o: BoardReadOptions): Promise<Board> {
  const loaded = await loadConfig(o.root);
  const config = o.models ? { ...loaded.config, models: o.models } : loaded.config;
  const configProblems = loaded.problems;
  const mission = await loadMission(o.root, config, o.cache);
  const ids = mission.tasks.map((t) => t.id);
  const [states, history, inbox, workspaces] = await Promise.all([readStates(o.root, ids), new FileJournal(new StorePaths(o.root), DEFAULT_LOCK_OPTIONS).readDetailed(), readInbox(o.root), workspaceHolders(o.root)]);
  const problems = [...configProblems, ...mission.problems, ...history.problems].map((p) => formatProblem(p));
  return buildBoard({ mission, config, states, history: history.events, inbox, merged: o.merged, workspaces, live: o.live, now: o.now(), problems });
}

/** Every task's record that can be read (a damaged one is left out: `orch status` names it). */
async function readStates(root: string, ids: readonly string[]): Promise<Map<string, TaskState>> {
  const repo = readOnlyTaskStates(root);
  const out = new Map<string, TaskState>();
  for (let i = 0; i < ids.length; i += 64) {
    const found = await Promise.all(ids.slice(i, i + 64).map((id) => repo.inspect(id)));
    for (const f of found) if (f && "state" in f) out.set(f.state.id, f.state);
  }
  return out;
}

/**
 * The questions waiting for a person: `.orchestrator/inbox/<id>.md`, where the self-healing ladder's
 * last rung asks (read through the store's InboxFiles, as the loop reads the answers). The page shows
 * the file's text, as text; one orch cannot read says why instead.
 */
async function readInbox(root: string): Promise<Map<string, string>> {
  const inbox = new InboxFiles(root);
  const out = new Map<string, string>();
  const names = await readdir(path.dirname(inbox.path("T"))).catch(() => [] as string[]);
  for (const n of names) {
    const id = n.endsWith(".md") ? n.slice(0, -3) : "";
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(id)) continue;
    const r = inbox.readChecked(id);
    if ("text" in r) out.set(id, r.text);
    else if ("problem" in r) out.set(id, `(orch cannot read this question file: ${formatProblem(r.problem)})`);
  }
  return out;
}

