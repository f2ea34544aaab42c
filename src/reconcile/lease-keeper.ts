// Keeps the mission lease: waits for it while another live process holds it, renews it every TTL/3,
// and says when it was lost (the `lost` promise) instead of being polled. Release ends all of it.
import type { Lease, LeaseManager } from "../store/index.js";
import type { Clock, TimerHandle } from "../util/index.js";

/** What the keeper needs of the store: the lease operations, and who holds a lease now. */
type LeaseStore = LeaseManager & { current(name: string): Promise<Lease | undefined> };

/** How a keeper is set up. */
export interface LeaseKeeperOptions {
  leases: LeaseStore;
  name: string;
  holder: string;
  /** The TTL, read at each acquire and renewal (the config can be reloaded). */
  ttlMs: () => number;
  clock: Clock;
  /** Called once, when the first try finds another live holder (undefined when it could not be read). */
  onWaiting?: (holder: string | undefined) => void;
}

/** One lease, kept by one process: acquire (waiting), renew, release, and a promise of its loss. */
export class LeaseKeeper {
  /** The lease held now (undefined before acquire, after release, and once lost). */
  current: Lease | undefined;
  /** Resolves once a renewal found the lease taken over (never when it is released). */
  readonly lost: Promise<void>;
  private markLost!: () => void;
  private closed = false;
  private timer: TimerHandle | undefined;
  private wake: (() => void) | undefined;
  /** The store call in flight (acquire or renew), for release to wait for. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: LeaseKeeperOptions) {
    this.lost = new Promise((r) => (this.markLost = r));
  }

  /**
   * Takes the lease, trying again every TTL/5 while another live process holds it, then renews it
   * every TTL/3. Resolves with the lease, or undefined when released (stopped) before it was taken.
   */
  async acquire(): Promise<Lease | undefined> {
    let waiting = false;
    while (!this.closed) {
      // Released while the store call ran: give back what it took (release() waits for this too).
      const got = this.o.leases.acquire(this.o.name, this.o.holder, this.o.ttlMs()).then(async (lease) => {
        if (!this.closed || !lease) return lease;
        await this.o.leases.release(lease);
        return undefined;
      });
      this.busy = got.catch(() => {});
      const lease = await got;
      if (this.closed) return undefined;
      if (lease) {
        this.current = lease;
        this.schedule();
        return lease;
      }
      if (!waiting) {
        waiting = true;
        this.o.onWaiting?.((await this.o.leases.current(this.o.name).catch(() => undefined))?.holder);
      }
      await this.pause(Math.max(50, this.o.ttlMs() / 5));
    }
    return undefined;
  }

  /** Stops waiting and renewing, then releases the lease if still held. True when it released one. */
  async release(): Promise<boolean> {
    this.close();
    await this.busy;
    const lease = this.current;
    this.current = undefined;
    if (!lease) return false;
    await this.o.leases.release(lease);
    return true;
  }

  /** Stops waiting and renewing without releasing (the process stops acting; the lease expires). */
  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wake?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.o.clock.setTimeout(resolve, ms);
    });
  }

  /** The next renewal, TTL/3 after the last one began (a slow renewal does not stretch the cadence). */
  private schedule(since = this.o.clock.now()): void {
    if (this.closed) return;
    const wait = Math.max(50, this.o.ttlMs() / 3) - (this.o.clock.now() - since);
    this.timer = this.o.clock.setTimeout(() => void this.renew(), Math.max(0, wait));
  }

  private async renew(): Promise<void> {
    const lease = this.current;
    if (!lease || this.closed) return;
    const began = this.o.clock.now();
    const renewed = this.o.leases.renew(lease, this.o.ttlMs());
    this.busy = renewed.catch(() => {});
    try {
      this.current = await renewed;
      this.schedule(began); // not when released meanwhile: release() takes it from here
    } catch {
      if (this.closed) return; // released meanwhile: a failed renewal changes nothing
      // Lost (paused past the TTL, or taken over): writes would be refused anyway; the owner stops acting.
      this.current = undefined;
      this.close();
      this.markLost();
    }
  }
}
