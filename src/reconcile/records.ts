// Task-state records as the loop uses them: read all, change one under the lease's fence, record history.
import type { Fence, HistoryEvent, Journal, RecordStore } from "../store/types.js";
import type { Store } from "../store/open.js";
import { readTaskState, stateKey, updateTaskState } from "../store/task-state.js";
import { formatProblem } from "../util/errors.js";
import { TaskStateSchema, type TaskState } from "../store/task-state-schema.js";
import { applyPatch, freshState, type StatePatch } from "./actions.js";

const parse = (raw: unknown) => TaskStateSchema.parse(raw);

/**
 * Reads every task state. A damaged record is moved aside and rebuilt from history by the store
 * (readTaskState), and reported; a record that still cannot be read is reported and skipped.
 * A record whose file is unchanged is not read or parsed again (records.readCached): every pass
 * still looks at every file.
 */
export async function readAllStates(store: Store, onError: (id: string, message: string) => void): Promise<Map<string, TaskState>> {
  const keys = await store.records.list("state/");
  const out = new Map<string, TaskState>();
  // Bounded parallel reads: fast on 10,000 records without opening them all at once.
  for (let i = 0; i < keys.length; i += 64) {
    await Promise.all(
      keys.slice(i, i + 64).map(async (key) => {
        const id = key.slice("state/".length);
        try {
          const r = await readTaskState(store, id);
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

/** Reads one task state. */
export async function readState(records: RecordStore, id: string): Promise<TaskState | undefined> {
  return (await records.read(stateKey(id), parse))?.value;
}

/** Context for writes: the store, the fence of the mission lease, and a clock. */
export interface StateWriter {
  /** With quarantine: a damaged record met on write is recovered as on read. */
  records: Store["records"];
  journal: Journal;
  fence(): Fence | undefined;
  now(): number;
}

/**
 * Changes a task's state (creating it at `generation` if absent); `updatedAt` is stamped.
 * `change` may return a patch computed from the current value. A damaged record is moved aside
 * and rebuilt from history first (updateTaskState), then changed. `history` (given the state
 * before the change, after `change` ran) is appended under the record's lock, in the same
 * critical section as the write.
 */
export async function patchState(
  w: StateWriter,
  id: string,
  generation: string,
  change: StatePatch | ((cur: TaskState) => StatePatch),
  history?: () => Omit<HistoryEvent, "at">[],
): Promise<TaskState> {
  const at = new Date(w.now()).toISOString();
  const r = await updateTaskState(
    w,
    id,
    (cur) => {
      const base = cur ?? freshState(id, generation, at);
      const patch = typeof change === "function" ? change(base) : change;
      const next = applyPatch(base, patch);
      return TaskStateSchema.parse({ ...next, updatedAt: at });
    },
    w.fence(),
    {
      generation,
      now: () => new Date(w.now()),
      underLock: async () => {
        const events = history?.() ?? [];
        if (events.length) await w.journal.appendHeld(events.map((e) => ({ at, ...e })));
      },
    },
  );
  return r.value;
}

/** Appends history events stamped now. */
export async function record(w: StateWriter, events: Omit<HistoryEvent, "at">[]): Promise<void> {
  const at = new Date(w.now()).toISOString();
  await w.journal.append(events.map((e) => ({ at, ...e })));
}
