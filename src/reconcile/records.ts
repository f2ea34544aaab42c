// Task-state records as the loop uses them: read all, change one under the lease's fence, record history.
import type { Fence, HistoryEvent, Journal, RecordStore } from "../store/types.js";
import type { Store } from "../store/open.js";
import { readTaskState, stateKey, updateTaskState } from "../store/task-state.js";
import { formatProblem } from "../util/errors.js";
import { StorePaths } from "../store/paths.js";
import { statSync, type Stats } from "node:fs";
import { TaskStateSchema, type TaskState } from "./state.js";
import { applyPatch, freshState, type StatePatch } from "./actions.js";

const parse = (raw: unknown) => TaskStateSchema.parse(raw);

/** Parsed records by key, with the file identity they were read from (ino, size, mtime). */
export type StateCache = Map<string, { sig: string; value: TaskState }>;

/**
 * Reads every task state. A damaged record is moved aside and rebuilt from history by the store
 * (readTaskState), and reported; a record that still cannot be read is reported and skipped.
 * With a cache, a record whose file is unchanged (writes are atomic renames: a new inode each time)
 * is not parsed again; every pass still looks at every file.
 */
export async function readAllStates(store: Store, onError: (id: string, message: string) => void, cache?: StateCache): Promise<Map<string, TaskState>> {
  const keys = await store.records.list("state/");
  const paths = new StorePaths(store.root);
  const out = new Map<string, TaskState>();
  // Bounded parallel reads: fast on 10,000 records without opening them all at once.
  for (let i = 0; i < keys.length; i += 64) {
    await Promise.all(
      keys.slice(i, i + 64).map(async (key) => {
        const id = key.slice("state/".length);
        try {
          // One stat per record and pass: synchronous, a fraction of the async call's cost.
          const st = cache ? statOrUndefined(paths.record(key)) : undefined;
          const sig = st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : "";
          const hit = cache?.get(key);
          if (hit && sig && hit.sig === sig) return void out.set(id, hit.value);
          const r = await readTaskState(store, id);
          if (r?.recovered) onError(id, formatProblem(r.recovered.problem));
          if (r) {
            out.set(id, r.value);
            if (sig && !r.recovered) cache?.set(key, { sig, value: r.value });
          }
        } catch (err) {
          onError(id, err instanceof Error ? err.message : String(err));
        }
      }),
    );
  }
  if (cache) for (const k of cache.keys()) if (!out.has(k.slice("state/".length))) cache.delete(k);
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

/** The file's stat; undefined when it cannot be had (the read that follows reports why). */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
