// The task-state repository: the one way orch reads and writes .orchestrator/state/<id>.json. Every
// reader (the loop, the executor, `orch retry`, `orch status`, id assignment) and every writer goes
// through it, so a damaged record is judged by one rule and repaired one way: moved aside and
// rebuilt from the task's history (docs/STORE.md §7).
import { OrchError, formatProblem, type Problem } from "../util/index.js";
import { applyPatch, freshState, TaskStateSchema, type StatePatch, type TaskState } from "./task-state-schema.js";
import { rebuildTaskState } from "./task-state-rebuild.js";
import type { Fence, HistoryEvent, Journal, Versioned } from "./types.js";
import type { Store } from "./open.js";
import { FileJournal } from "./journal.js";
import { DEFAULT_LOCK_OPTIONS } from "./lock.js";
import { StorePaths } from "./paths.js";
import { FileRecordStore } from "./records.js";

const PREFIX = "state/";
const keyOf = (id: string) => `${PREFIX}${id}`;
const parse = (raw: unknown) => TaskStateSchema.parse(raw);

/** What the repository needs: records (quarantine moves a damaged one aside) and history. */
export interface TaskStateStore {
  records: Store["records"];
  journal: Journal;
}

/** What happened when a damaged record was replaced. */
interface Recovered {
  /** The error to show: names the damaged file and where it was moved. */
  problem: Problem;
  /** Undefined when another process had already repaired the record. */
  movedTo?: string;
}

/** A state with its record version, and what was repaired to read it. */
export interface TaskStateRead extends Versioned<TaskState> {
  recovered?: Recovered;
}

/** A record as found, without repairing it: its state, or the repo-relative file of a damaged one. */
export type Inspected = { state: TaskState } | { damaged: string };

/** A history event of a change, stamped with the change's time when written. */
export type ChangeEvent = Omit<HistoryEvent, "at">;

/** The task-state repository over a store; `now` stamps changes and rebuilds. */
export class TaskStates {
  constructor(
    private readonly store: TaskStateStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Ids that have a state record, sorted (moved-aside copies are not records). */
  async ids(): Promise<string[]> {
    return (await this.store.records.list(PREFIX)).map((key) => key.slice(PREFIX.length));
  }

  /**
   * Reads a task's state (through the store's cache of unchanged files: the loop reads every state
   * on every pass). A damaged record is moved aside and rebuilt from history (see `recovered`);
   * `generation` is the task's spec generation now, used when history does not name one.
   */
  async read(id: string, generation?: string): Promise<TaskStateRead | undefined> {
    try {
      return await this.store.records.readCached(keyOf(id), parse);
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      return this.recover(id, err, generation);
    }
  }

  /**
   * Reads every task state, repairing damaged records as `read` does and reporting each repair to
   * `onError`; a record that still cannot be read is reported and left out.
   */
  async readAll(onError: (id: string, message: string) => void): Promise<Map<string, TaskState>> {
    const ids = await this.ids();
    const out = new Map<string, TaskState>();
    // Bounded parallel reads: fast on 10,000 records without opening them all at once.
    for (let i = 0; i < ids.length; i += 64) {
      await Promise.all(
        ids.slice(i, i + 64).map(async (id) => {
          try {
            const r = await this.read(id);
            if (r?.recovered) onError(id, formatProblem(r.recovered.problem));
            if (r) out.set(id, r.value);
          } catch (err) {
            onError(id, err instanceof Error ? err.message : String(err));
          }
        }),
      );
    }
    return out;
  }

  /**
   * Looks at a record without repairing it (for read-only views such as `orch status`): damaged by
   * the store's own rules (not JSON, not an envelope, not a task state) or not. Undefined: no record.
   */
  async inspect(id: string): Promise<Inspected | undefined> {
    try {
      const r = await this.store.records.read(keyOf(id), parse);
      return r && { state: r.value };
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      return { damaged: err.options.file ?? keyOf(id) };
    }
  }

  /**
   * Read-modify-write of a task's state under its lock (fenced when `fence` is given). A damaged
   * record is first recovered as `read` does (see `recovered`), then changed. `underLock` runs
   * after the write under the same lock (journal.appendHeld of the change's history).
   */
  async update(
    id: string,
    change: (current: TaskState | undefined) => TaskState,
    opts: { fence?: Fence; generation?: string; underLock?: () => Promise<void> } = {},
  ): Promise<TaskStateRead> {
    const records = this.store.records;
    try {
      return await records.update(keyOf(id), parse, change, opts.fence, opts.underLock);
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      const recovered = (await this.recover(id, err, opts.generation)).recovered;
      const out = await records.update(keyOf(id), parse, change, opts.fence, opts.underLock);
      return { ...out, recovered };
    }
  }

  /**
   * Changes a task's state (creating it at `generation` if absent); `updatedAt` is stamped.
   * `change` may be a patch computed from the current value. `history` (called after `change`)
   * is appended under the record's lock, in the same critical section as the write.
   */
  async patch(
    id: string,
    generation: string,
    change: StatePatch | ((cur: TaskState) => StatePatch),
    opts: { fence?: Fence; history?: () => ChangeEvent[] } = {},
  ): Promise<TaskState> {
    const at = new Date(this.now()).toISOString();
    const r = await this.update(
      id,
      (cur) => {
        const base = cur ?? freshState(id, generation, at);
        const next = applyPatch(base, typeof change === "function" ? change(base) : change);
        return TaskStateSchema.parse({ ...next, updatedAt: at });
      },
      {
        fence: opts.fence,
        generation,
        underLock: async () => {
          const events = opts.history?.() ?? [];
          if (events.length) await this.store.journal.appendHeld(events.map((e) => ({ at, ...e })));
        },
      },
    );
    return r.value;
  }

  /** Removes a task's record (its task left TODO.md); a damaged one goes too. False: there was none. */
  async remove(id: string, fence?: Fence): Promise<boolean> {
    let version: number | undefined;
    try {
      version = (await this.store.records.read(keyOf(id), (x) => x))?.version;
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      version = (await this.recover(id, err)).version; // moved aside (kept), then removed like any record
    }
    if (version === undefined) return false;
    await this.store.records.remove(keyOf(id), version, fence);
    return true;
  }

  private async recover(id: string, err: OrchError, generation = ""): Promise<TaskStateRead> {
    const events = await this.store.journal.read(id);
    const now = new Date(this.now()).toISOString();
    const rebuilt = rebuildTaskState(id, events, generation, now);
    const out = await this.store.records.quarantine(keyOf(id), parse, rebuilt);
    if (!out.movedTo) return { value: out.value, version: out.version };
    const problem: Problem = {
      code: "corrupt-state",
      severity: "error",
      file: err.options.file ?? keyOf(id),
      line: 0,
      col: 0,
      message: `${err.message.replace(/^[^:]*: /, "")}; moved aside to ${out.movedTo} and rebuilt from history (${events.length} events)`,
      hint: "Compare the moved-aside file with the rebuilt one; delete the copy once you are satisfied.",
    };
    await this.store.journal.append([{ at: now, task: id, kind: "state-rebuilt", to: rebuilt.phase, error: problem.message }]);
    return { value: out.value, version: out.version, recovered: { problem, movedTo: out.movedTo } };
  }
}

/**
 * The repository over the store at `root` without opening it (openStore writes the generated files):
 * for read-only commands such as `orch status`, which only `inspect`.
 */
export function readOnlyTaskStates(root: string): TaskStates {
  const paths = new StorePaths(root);
  return new TaskStates({ records: new FileRecordStore({ paths, lock: DEFAULT_LOCK_OPTIONS }), journal: new FileJournal(paths, DEFAULT_LOCK_OPTIONS) });
}

function isCorrupt(err: unknown): err is OrchError {
  return err instanceof OrchError && err.code === "corrupt";
}
