// How long tasks have been in a state this process can only see by watching: a task with no record
// ages from when this process first saw it (seenSince); a record whose task line is gone ages from
// when its line went missing (missingSince, for the delete grace). plan() reads both.

/** The two ages plan() needs, kept across passes. */
export class TaskAges {
  /** Tasks without a record: when this process first saw each. */
  readonly seenSince = new Map<string, number>();
  /** Records whose task is no longer in the mission: since when. */
  readonly missingSince = new Map<string, number>();

  /** Brings both up to date with one pass's tasks (`ids`) and records (`recorded`). */
  update(ids: ReadonlySet<string>, recorded: ReadonlySet<string>, now: number): void {
    for (const id of ids) if (!recorded.has(id) && !this.seenSince.has(id)) this.seenSince.set(id, now);
    for (const id of this.seenSince.keys()) if (!ids.has(id) || recorded.has(id)) this.seenSince.delete(id);
    for (const id of recorded) if (!ids.has(id) && !this.missingSince.has(id)) this.missingSince.set(id, now);
    for (const id of this.missingSince.keys()) if (ids.has(id) || !recorded.has(id)) this.missingSince.delete(id);
  }
}
