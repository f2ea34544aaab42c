// An attempt's record writes, off its critical path: changes are queued, written in order, and the
// changes queued while one write runs (or in the same turn of the event loop) become one write.
// The attempt waits (flush) only where a decision needs them on disk: before a result, a failure or
// an abort is recorded, and once after its session started (a fenced-out orch aborts that session).
import type { HistoryEvent } from "../store/types.js";
import { composePatches, type PatchFn, type StatePatch } from "./actions.js";
import { patchState, type StateWriter } from "./records.js";
import type { TaskState } from "./state.js";

type Event = Omit<HistoryEvent, "at">;

/** One queued change: a state patch (or none), the history events it makes, and what to do once written. */
export interface QueuedChange {
  patch?: StatePatch | PatchFn;
  /** `before`: the state this change applies to; undefined when its batch writes no state. */
  history?: (before: TaskState | undefined) => Event[];
  /** Runs once the change is on disk (e.g. emits the UI event). */
  written?: () => void;
}

export class WriteQueue {
  private queue: QueuedChange[] = [];
  private draining?: Promise<void>;
  private failure?: { error: unknown };

  constructor(
    private readonly w: StateWriter,
    private readonly id: string,
    private readonly generation: () => string,
  ) {}

  /** Queues a change and returns at once; a failed write is thrown by the next flush. */
  add(change: QueuedChange): void {
    if (this.failure) return;
    this.queue.push(change);
    // setImmediate, not a microtask: changes queued across the awaits of one sequence still merge.
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Waits until every queued change is written; throws the first failed write. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const batch = this.queue;
        this.queue = [];
        await this.write(batch);
      }
    } catch (error) {
      this.failure = { error };
      this.queue = [];
    } finally {
      this.draining = undefined;
    }
  }

  private async write(batch: QueuedChange[]): Promise<void> {
    let events: Event[] = [];
    if (batch.some((c) => c.patch !== undefined)) {
      await patchState(this.w, this.id, this.generation(), (cur) => {
        // A CAS retry runs this again on a newer state: only the last run's events count.
        events = [];
        return composePatches(
          ...batch.map((c): PatchFn => (s) => {
            events.push(...(c.history?.(s) ?? []));
            return typeof c.patch === "function" ? c.patch(s) : (c.patch ?? {});
          }),
        )(cur);
      });
    } else for (const c of batch) events.push(...(c.history?.(undefined) ?? []));
    if (events.length > 0) {
      const at = new Date(this.w.now()).toISOString();
      await this.w.journal.append(events.map((e) => ({ at, ...e })));
    }
    for (const c of batch) c.written?.();
  }
}
