// A counting semaphore: at most `limit()` holders at once, first come first served.

export class Semaphore {
  private held = 0;
  private waiters: (() => void)[] = [];

  /** `limit` is read on every acquire and release, so a config reload applies from then on. */
  constructor(private readonly limit: () => number) {}

  /** Runs `fn` once a place is free; the place is given back when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Behind anyone already waiting, even when a place is free (a raised limit wakes them on release).
    if (this.held < this.limit() && this.waiters.length === 0) this.held++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve)); // woken with its place taken
    try {
      return await fn();
    } finally {
      this.held--;
      while (this.waiters.length > 0 && this.held < this.limit()) {
        this.held++;
        this.waiters.shift()!();
      }
    }
  }
}
