// An attempt's record writes, off its critical path: changes are queued, written in order, and the
// changes queued while one write runs (or in the same turn of the event loop) become one write.
// The attempt waits (flush) only where a decision needs them on disk: before a failure or an abort
// is recorded, and once after its session started (a fenced-out orch aborts that session). A result
// takes the changes not yet written into its own write (takePending); changes added with a hold
// wait a little for it, so a quick verify costs no write of its own.
import type { Fence, HistoryEvent, Journal, TaskStates, TaskState } from "../store/index.js";
import { composePatches, type PatchFn } from "./actions.js";
import { type StatePatch } from "../store/index.js";
import type { Clock, TimerHandle } from "../util/index.js";

type Event = Omit<HistoryEvent, "at">;

/** Where an attempt's changes go: the task-state repository, the history, the lease's fence, a clock. */
export interface StateWriter {
  states: TaskStates;
  journal: Journal;
  fence(): Fence | undefined;
  now(): number;
}

/** One queued change: a state patch (or none), the history events it makes, and what to do once written. */
export interface QueuedChange {
  patch?: StatePatch | PatchFn;
  /** `before`: the state this change applies to; undefined when its batch writes no state. */
  history?: (before: TaskState | undefined) => Event[];
  /** Runs once the change is on disk (e.g. emits the UI event). */
  written?: () => void;
}

/**
 * Changes as one: a patch over the state, and the history events it makes, computed by the last run
 * of `change` (each run starts afresh, e.g. after a damaged record was recovered).
 */
export function combine(batch: readonly QueuedChange[]): { change: PatchFn; events: () => Event[] } {
  let events: Event[] = [];
  return {
    change: (cur) => {
      events = [];
      return composePatches(
        ...batch.map((c): PatchFn => (s) => {
          events.push(...(c.history?.(s) ?? []));
          return typeof c.patch === "function" ? c.patch(s) : (c.patch ?? {});
        }),
      )(cur);
    },
    events: () => events,
  };
}

export class WriteQueue {
  private queue: QueuedChange[] = [];
  private draining?: Promise<void>;
  private failure?: { error: unknown };
  /** Set while `takePending` waits: the write in flight finishes, no new one starts. */
  private holding = false;
  /** The deadline of held changes (add's `holdMs`). */
  private held?: TimerHandle;

  constructor(
    private readonly w: StateWriter,
    private readonly id: string,
    private readonly generation: () => string,
    /** Times the holds. */
    private readonly clock: Clock,
  ) {}

  /**
   * Queues a change and returns at once; a failed write is thrown by the next flush. With `holdMs`,
   * the write waits up to that long for more changes (a flush, a change without hold, or
   * takePending ends the wait), so a short step's progress and its result make one write.
   */
  add(change: QueuedChange, holdMs = 0): void {
    if (this.failure) return;
    this.queue.push(change);
    if (this.draining) return; // the write in flight (or about to start) takes it
    if (holdMs > 0) this.held ??= this.clock.setTimeout(() => this.start(), holdMs);
    else this.start();
  }

  private start(): void {
    this.clock.clearTimeout(this.held);
    this.held = undefined;
    // setImmediate, not a microtask: changes queued across the awaits of one sequence still merge.
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Waits until every queued change is written; throws the first failed write. */
  async flush(): Promise<void> {
    if (this.held) this.start();
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure.error;
  }

  /**
   * Waits for the write in flight, then hands over the changes not yet written, for the caller to
   * write with its own (one write instead of two); throws the first failed write.
   */
  async takePending(): Promise<QueuedChange[]> {
    this.clock.clearTimeout(this.held);
    this.held = undefined;
    this.holding = true;
    try {
      while (this.draining) await this.draining;
    } finally {
      this.holding = false;
    }
    if (this.failure) throw this.failure.error;
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** Puts back changes `takePending` handed over that were not written after all, ahead of any since (no write starts). */
  restore(changes: QueuedChange[]): void {
    if (!this.failure) this.queue = [...changes, ...this.queue];
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure && !this.holding) {
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
    if (batch.some((c) => c.patch !== undefined)) {
      // The history is appended under the record's lock, with the write.
      const all = combine(batch);
      await this.w.states.patch(this.id, this.generation(), all.change, { fence: this.w.fence(), history: all.events });
    } else {
      const events = batch.flatMap((c) => c.history?.(undefined) ?? []);
      if (events.length > 0) {
        const at = new Date(this.w.now()).toISOString();
        await this.w.journal.append(events.map((e) => ({ at, ...e })));
      }
    }
    for (const c of batch) c.written?.();
  }
}
