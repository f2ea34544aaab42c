// Waiting on a condition without polling: waiters are re-checked whenever their owner says that
// something changed, and resolve the first time their condition holds.

/** Promises of conditions over an owner's state, re-checked on `changed()`. */
export class Conditions {
  private waiting: { holds: () => boolean; resolve: () => void }[] = [];

  /** Resolves once `holds()` is true: now, or at a later `changed()`. */
  until(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ holds, resolve }));
  }

  /** The owner's state changed: resolves every waiter whose condition now holds. */
  changed(): void {
    const still: typeof this.waiting = [];
    for (const w of this.waiting) (w.holds() ? w.resolve : () => still.push(w))();
    this.waiting = still;
  }
}
