// Session slots: config.concurrency bounds agent sessions (in total and per role), not attempts. An
// attempt holds a slot while a session runs and gives it back when the session ends, so its verify
// commands and records never keep a session waiting. plan() starts new attempts into free slots
// (counting held and awaited ones); an attempt that needs another session (reviewer, fixer) waits
// here, ahead of new starts.
import type { Role } from "../spec/index.js";

/** An attempt's claim on a session slot (on RunningInfo.slot). */
export interface Slot {
  role: Role;
  /** True while the attempt waits for a slot to free up. */
  waiting: boolean;
}

export interface SlotHolder {
  slot?: Slot;
}

export interface SlotLimits {
  total: number;
  perRole: Record<string, number>;
}

export class SessionSlots {
  private waiters: { e: SlotHolder; grant: () => void }[] = [];

  constructor(
    private readonly holders: () => Iterable<SlotHolder>,
    private readonly limits: () => SlotLimits,
    /** A slot came free (and waiting attempts had their turn): the plan may start a task. */
    private readonly freed: () => void,
  ) {}

  /** Resolves once `e` holds a slot for `role` (at once when free); an abort stops the wait. */
  async acquire(e: SlotHolder, role: Role, signal?: AbortSignal): Promise<void> {
    if (e.slot && !e.slot.waiting && e.slot.role === role) return;
    e.slot = { role, waiting: true };
    if (this.fits(e)) return void (e.slot.waiting = false);
    if (signal?.aborted) return void (e.slot = undefined);
    await new Promise<void>((resolve) => {
      const w = { e, grant: () => (signal?.removeEventListener("abort", onAbort), resolve()) };
      const onAbort = () => {
        this.waiters = this.waiters.filter((x) => x !== w);
        e.slot = undefined;
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  /** Gives `e`'s slot back: the first waiting attempts that fit take it, else the plan may use it. */
  release(e: SlotHolder): void {
    if (!e.slot) return;
    const wasWaiting = e.slot.waiting;
    e.slot = undefined;
    if (wasWaiting) this.waiters = this.waiters.filter((w) => w.e !== e);
    for (const w of [...this.waiters]) {
      if (!this.fits(w.e)) continue;
      w.e.slot!.waiting = false;
      this.waiters = this.waiters.filter((x) => x !== w);
      w.grant();
    }
    this.freed();
  }

  /** True when `e`'s role has room among the slots held (not awaited) by others. */
  private fits(e: SlotHolder): boolean {
    const role = e.slot!.role;
    const { total, perRole } = this.limits();
    let all = 0;
    let same = 0;
    for (const h of this.holders()) {
      if (h === e || !h.slot || h.slot.waiting) continue;
      all++;
      if (h.slot.role === role) same++;
    }
    return all < total && (perRole[role] === undefined || same < perRole[role]!);
  }
}
