// Fake time for tests: timers fire only when the test advances the clock, in deadline order, so a
// debounce, a backoff or a write hold is tested in microseconds and cannot flake.
import type { Clock, TimerHandle } from "../../src/util/clock.js";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A Clock whose time moves only by `advance`. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private armed: (() => void)[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    for (const f of this.armed.splice(0)) f();
    return timer.id;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Resolves once a timer is pending (e.g. after the I/O that schedules the next one). */
  whenPending(): Promise<void> {
    return this.timers.length > 0 ? Promise.resolve() : new Promise((r) => this.armed.push(r));
  }

  /**
   * Moves time forward by `ms`, firing each timer due on the way at its own deadline; between timers
   * the promise jobs and I/O callbacks they started get to run (`settle`), as they would in real time.
   */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise jobs and immediates run (a few turns of the event loop, no timers). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
