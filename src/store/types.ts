// The one write path for everything orch records. Implementations live beside this file.

/** A value with the version it was read at. Versions start at 1 and strictly increase. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** Proof of holding a lease: writes carrying a token older than the newest one are refused. */
export interface Fence {
  lease: string;
  token: number;
}

/** Versioned, lock-protected JSON records keyed by a safe relative name (e.g. "state/T3"). */
export interface RecordStore {
  read<T>(key: string, parse: (raw: unknown) => T): Promise<Versioned<T> | undefined>;
  /** `read`, skipping the read and parse while the file is unchanged; the value is shared (do not change it). */
  readCached<T>(key: string, parse: (raw: unknown) => T): Promise<Versioned<T> | undefined>;
  /**
   * Compare-and-swap: writes iff the current version equals `expected` (undefined: the record
   * must not exist). Throws OrchError "conflict" otherwise, "fenced" when the fence is stale.
   */
  write<T>(key: string, value: T, expected: number | undefined, fence?: Fence): Promise<Versioned<T>>;
  /**
   * Read-modify-write under the record's lock (re-read there, so the version check cannot fail).
   * `underLock` runs after the write, still under the lock (e.g. the history of the change).
   */
  update<T>(
    key: string,
    parse: (raw: unknown) => T,
    change: (current: T | undefined) => T,
    fence?: Fence,
    underLock?: () => Promise<void>,
  ): Promise<Versioned<T>>;
  remove(key: string, expected: number, fence?: Fence): Promise<void>;
  /** Keys under a prefix, e.g. list("state/"). */
  list(prefix: string): Promise<string[]>;
}

/** A time-limited right to act, with a strictly increasing fencing token. */
export interface Lease {
  name: string;
  holder: string;
  token: number;
  expiresAt: number;
}

export interface LeaseManager {
  /** Takes the lease if free or expired; undefined when a live holder has it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a lease still held; throws OrchError "fenced" when it was lost. */
  renew(lease: Lease, ttlMs: number): Promise<Lease>;
  release(lease: Lease): Promise<void>;
}

/** One line of the mission history (.orchestrator/history/<task>.jsonl). */
export interface HistoryEvent {
  at: string;
  task: string;
  kind: string;
  attempt?: number;
  from?: string;
  to?: string;
  session?: string;
  role?: string;
  tokens?: number;
  costUsd?: number;
  verdict?: string;
  error?: string;
  detail?: Record<string, unknown>;
}

export interface Journal {
  /** Appends under each task's lock (the lock of its state record, state/<task>). */
  append(events: HistoryEvent[]): Promise<void>;
  /** Appends events of tasks whose state lock the caller holds (inside `update`'s `underLock`). */
  appendHeld(events: HistoryEvent[]): Promise<void>;
  /** All events, or one task's, oldest first. */
  read(task?: string): Promise<HistoryEvent[]>;
}

/** Surgical edits to TODO.md: `patch` is applied to the newest bytes, re-read under the lock. */
export interface TodoWriter {
  /**
   * `patch` returns the new text, or undefined to write nothing. Returns whether it wrote.
   * With a `fence`, the write is refused ("fenced") unless that lease token is still current.
   */
  edit(patch: (current: string) => string | undefined, fence?: Fence): Promise<boolean>;
  /** Removes the file under the same lock (no error when it is absent). */
  remove(): Promise<void>;
}
