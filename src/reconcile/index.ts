// The public API of src/reconcile/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { assignMissingIds } from "./assign-ids.js";
export { updateControls } from "./controls.js";
export { drive } from "./drive.js";
export type { DriveOutcome } from "./drive.js";
export type { LoopEvent } from "./events.js";
export type { Reconciler } from "./loop.js";
export { withAnswer } from "./inbox.js";
export { missionBudgetUsed } from "./mission-budget.js";
export { startWatcher, watchedPaths } from "./watch.js";
