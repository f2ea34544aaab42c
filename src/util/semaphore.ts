// A counting semaphore: at most `limit()` holders at once, first come first served.

export class Semaphore {
  private held = 0;
  private waiters: (() => void)[] = [];

  /** `limit` is read on every acquire and release, so a config reload applies from then on. */
  constructor(private readonly limit: () => number) {}

  /** Runs `fn` once a place is free; the place is given back when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held < this.limit()) this.held++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve)); // a releasing holder hands its place over
    try {
      return await fn();
    } finally {
      const next = this.held <= this.limit() ? this.waiters.shift() : undefined;
      if (next) next();
      else this.held--;
    }
  }
}
