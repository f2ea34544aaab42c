// The public API of src/reconcile/: what other folders may import (generated from their imports; keep it small).
export { assignMissingIds } from "./assign-ids.js";
export { updateControls } from "./controls.js";
export { drive } from "./drive.js";
export type { DriveOutcome } from "./drive.js";
export type { LoopEvent } from "./events.js";
export type { Reconciler } from "./loop.js";
