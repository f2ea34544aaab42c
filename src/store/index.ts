// The public API of src/store/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { ApprovalFiles, InboxFiles } from "./approval-files.js";
export { atomicWrite } from "./atomic.js";
export { commitTask, identityEnv, withGitLock } from "./git-commit.js";
export { scopeMatcher } from "./glob.js";
export { FileJournal } from "./journal.js";
export { ensureLayout } from "./layout.js";
export { fenceOf } from "./leases.js";
export { DEFAULT_LOCK_OPTIONS } from "./lock.js";
export { openStore } from "./open.js";
export type { Store } from "./open.js";
export { StorePaths, checkKey } from "./paths.js";
export { addSpend, emptySpend, formatRoles, formatSpend, spendOf } from "./spend.js";
export type { MissionSpend, Spend, TaskSpend } from "./spend.js";
export { applyPatch } from "./task-state-schema.js";
export type { Phase, StatePatch, TaskState, VerifyResult } from "./task-state-schema.js";
export { TaskStates, readOnlyTaskStates } from "./task-states.js";
export type { Fence, HistoryEvent, Journal, Lease, LeaseManager, RecordStore, TodoWriter } from "./types.js";
