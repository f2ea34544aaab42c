// Time as a dependency: everything that waits (debounce, requeue, backoff, write holds, lease renewal)
// takes a Clock, so tests run it on fake time (test/support/fake-clock.ts) instead of sleeping.

/** A handle from `Clock.setTimeout`, only ever passed back to `clearTimeout`. */
export type TimerHandle = unknown;

/** The time now and one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer (a handle already fired or undefined is ignored). */
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Node's clock (its timers keep the process alive, as orch run's requeue must). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1))),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout | undefined),
};

/** One named timer on a clock: pending or not, restarted or kept at will. */
export class Timer {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fn: () => void,
  ) {}

  /** True while it waits to fire. */
  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** (Re)starts it: fires `ms` from now, whatever was pending (a debounce). */
  restart(ms: number): void {
    this.cancel();
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.fn();
    }, ms);
  }

  /** Starts it unless it is pending already (a deadline not pushed back). */
  ensure(ms: number): void {
    if (!this.pending) this.restart(ms);
  }

  /** Cancels it if pending. */
  cancel(): void {
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
