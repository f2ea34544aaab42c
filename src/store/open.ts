// openStore: the one entry to everything orch records under <root>/.orchestrator/.
import path from "node:path";
import type { Journal, LeaseManager, RecordStore, TodoWriter } from "./types.js";
import { realFs, type WriteFs } from "./atomic.js";
import { FileJournal } from "./journal.js";
import { ensureLayout } from "./layout.js";
import { FileLeaseManager } from "./leases.js";
import { DEFAULT_LOCK_OPTIONS, drain } from "./lock.js";
import { FileRecordStore } from "./records.js";
import { StorePaths } from "./paths.js";
import { sweepLeftovers } from "./sweep.js";
import { FileTodoWriter } from "./todo-writer.js";
import { ApprovalFiles, InboxFiles } from "./approval-files.js";

export interface StoreOptions {
  /** A lock not refreshed for this long is taken over (default 10 s; a dead holder's lock at once). */
  lockStaleMs?: number;
  /** How long a write waits for a lock before failing with "locked" (default 30 s). */
  lockWaitMs?: number;
  /** Clock for lease expiry (ms since epoch). */
  now?: () => number;
  /** File-system calls of the write path, for fault injection in tests. */
  fs?: WriteFs;
  /** Test hook: runs under the record lock just before the rename. */
  beforeRename?: (key: string) => Promise<void> | void;
}

/** Everything orch records. */
export interface Store {
  root: string;
  records: RecordStore & Pick<FileRecordStore, "quarantine">;
  leases: LeaseManager & Pick<FileLeaseManager, "current">;
  journal: Journal & Pick<FileJournal, "readDetailed">;
  /** A writer for a file a person also edits (TODO.md), path relative to the root. */
  todo(file: string): TodoWriter;
  /** The approval files (.orchestrator/approvals/<task>.md), written through that writer. */
  approvals: ApprovalFiles;
  /** The inbox (.orchestrator/inbox/<task>.md): questions for a person, written through that writer. */
  inbox: InboxFiles;
  /** Removes temp files and half-made locks left by writers that were killed; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the store of the repository at `root`; writes .orchestrator/.gitignore if absent. */
export function openStore(root: string, opts: StoreOptions = {}): Store {
  const paths = new StorePaths(root);
  ensureLayout(paths.dir);
  const lock = {
    staleMs: opts.lockStaleMs ?? DEFAULT_LOCK_OPTIONS.staleMs,
    waitMs: opts.lockWaitMs ?? DEFAULT_LOCK_OPTIONS.waitMs,
  };
  const now = opts.now ?? Date.now;
  const fs = opts.fs ?? realFs;
  let checkFence: FileLeaseManager["check"] | undefined;
  const records = new FileRecordStore({
    paths,
    lock,
    fs,
    checkFence: (f) => checkFence!(f),
    beforeRename: opts.beforeRename,
  });
  // Leases are records too (written without a fence); record writes consult them.
  const leases = new FileLeaseManager(new FileRecordStore({ paths, lock, fs }), now);
  checkFence = leases.check;
  const journal = new FileJournal(paths, lock);
  return {
    root: paths.root,
    records,
    leases,
    journal,
    todo: (file) => new FileTodoWriter(paths, file, lock, fs, leases.check),
    approvals: new ApprovalFiles(root, { lock, fs }),
    inbox: new InboxFiles(root, { lock, fs }),
    // TODO.md's temp files sit beside it, in the root: swept there without recursing into the repo.
    sweep: async () => (await sweepLeftovers(paths.dir)) + (await sweepLeftovers(paths.root, false)),
    // Locks live only as long as their operation: closing waits for those in flight to finish.
    close: () => drain(`${paths.dir}${path.sep}`),
  };
}
