// Task state records (.orchestrator/state/<id>.json): read, update, and recovery of a damaged record
// by moving it aside and rebuilding the state from the task's history.
import { OrchError, type Problem } from "../util/errors.js";
import { PhaseSchema, TaskStateSchema, type Phase, type TaskState } from "./task-state-schema.js";
import { UsageSchema, type Usage } from "../runtime/types.js";
import type { Fence, HistoryEvent, Journal, Versioned } from "./types.js";
import type { Store } from "./open.js";

/** Record key of a task's state. */
export const stateKey = (id: string) => `state/${id}`;

/** What reading and writing task states needs: records (quarantine moves a damaged one aside) and history. */
export interface TaskStateStore {
  records: Store["records"];
  journal: Journal;
}

/** What happened when a damaged record was replaced. */
export interface Recovered {
  /** The error to show: names the damaged file and where it was moved. */
  problem: Problem;
  /** Undefined when another process had already repaired the record. */
  movedTo?: string;
}

export interface TaskStateRead extends Versioned<TaskState> {
  recovered?: Recovered;
}

export interface RecoverOptions {
  /** Generation of the task's spec now, used when history does not say which one it ran. */
  generation?: string;
  now?: () => Date;
}

/**
 * Reads a task's state (through the store's cache of unchanged files: the loop reads every state on
 * every pass); a damaged record is moved aside and rebuilt from history (see `recovered`).
 */
export async function readTaskState(store: TaskStateStore, id: string, opts: RecoverOptions = {}): Promise<TaskStateRead | undefined> {
  try {
    return await store.records.readCached(stateKey(id), TaskStateSchema.parse);
  } catch (err) {
    if (!(err instanceof OrchError) || err.code !== "corrupt") throw err;
    return recoverTaskState(store, id, err, opts);
  }
}

/**
 * Read-modify-write of a task's state under its lock (fenced when `fence` is given). A damaged
 * record is first recovered as `readTaskState` does (see `recovered`), then changed. `underLock`
 * runs after the write under the same lock (journal.appendHeld of the change's history).
 */
export async function updateTaskState(
  store: TaskStateStore,
  id: string,
  change: (current: TaskState | undefined) => TaskState,
  fence?: Fence,
  opts: RecoverOptions & { underLock?: () => Promise<void> } = {},
): Promise<TaskStateRead> {
  try {
    return await store.records.update(stateKey(id), TaskStateSchema.parse, change, fence, opts.underLock);
  } catch (err) {
    if (!(err instanceof OrchError) || err.code !== "corrupt") throw err;
    const recovered = (await recoverTaskState(store, id, err, opts)).recovered;
    const out = await store.records.update(stateKey(id), TaskStateSchema.parse, change, fence, opts.underLock);
    return { ...out, recovered };
  }
}

async function recoverTaskState(store: TaskStateStore, id: string, err: OrchError, opts: RecoverOptions): Promise<TaskStateRead> {
  const events = await store.journal.read(id);
  const now = (opts.now ?? (() => new Date()))().toISOString();
  const rebuilt = rebuildTaskState(id, events, opts.generation ?? "", now);
  const out = await store.records.quarantine(stateKey(id), TaskStateSchema.parse, rebuilt);
  if (!out.movedTo) return { value: out.value, version: out.version };
  const problem: Problem = {
    code: "corrupt-state",
    severity: "error",
    file: err.options.file ?? stateKey(id),
    line: 0,
    col: 0,
    message: `${err.message.replace(/^[^:]*: /, "")}; moved aside to ${out.movedTo} and rebuilt from history (${events.length} events)`,
    hint: "Compare the moved-aside file with the rebuilt one; delete the copy once you are satisfied.",
  };
  await store.journal.append([{ at: now, task: id, kind: "state-rebuilt", to: rebuilt.phase, error: problem.message }]);
  return { value: out.value, version: out.version, recovered: { problem, movedTo: out.movedTo } };
}

const TERMINAL: Phase[] = ["Succeeded", "Failed", "Cancelled"];

/**
 * Rebuilds a task's state from its history, pure. The phase is the last transition's `to`; the
 * generation is the one that transition recorded in `detail.generation`, else `generation`.
 * Token and cost figures on events are per step, so they are summed.
 */
export function rebuildTaskState(id: string, events: HistoryEvent[], generation: string, now: string): TaskState {
  const mine = events.filter((e) => e.task === id);
  const transitions = mine.filter((e) => PhaseSchema.safeParse(e.to).success);
  const last = transitions.at(-1);
  const phase: Phase = last ? PhaseSchema.parse(last.to) : "Pending";
  const gen = typeof last?.detail?.generation === "string" ? last.detail.generation : generation;
  const usage: Usage = UsageSchema.parse({});
  let costUsd = 0;
  const sessions: TaskState["sessions"] = [];
  let lastError: TaskState["lastError"];
  for (const e of mine) {
    costUsd += e.costUsd ?? 0;
    const u = UsageSchema.partial().safeParse(e.detail?.usage);
    if (u.success) for (const k of Object.keys(usage) as (keyof Usage)[]) usage[k] += u.data[k] ?? 0;
    if (e.session && !sessions.some((s) => s.id === e.session)) {
      sessions.push({ id: e.session, role: e.role ?? "worker", attempt: e.attempt ?? 0, startedAt: e.at });
    }
    if (e.error) lastError = { code: e.kind, message: e.error, terminal: false, at: e.at };
  }
  if (lastError && phase === "Failed") lastError.terminal = true;
  return TaskStateSchema.parse({
    id,
    phase,
    generation: gen,
    observedGeneration: gen,
    conditions: [
      {
        type: "Rebuilt",
        status: "True",
        reason: "CorruptRecord",
        message: `rebuilt from ${mine.length} history events`,
        at: now,
        observedGeneration: gen,
      },
    ],
    attempts: Math.max(0, ...mine.map((e) => e.attempt ?? 0)),
    sessions,
    createdAt: mine[0]?.at ?? now,
    updatedAt: now,
    startedAt: mine.find((e) => e.to === "Running")?.at,
    finishedAt: TERMINAL.includes(phase) ? last?.at : undefined,
    usage,
    costUsd,
    lastError,
  });
}
