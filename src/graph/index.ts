// The public API of src/graph/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { criticalPath, criticalPathLengths } from "./critical-path.js";
export { findCycles } from "./dag.js";
export { formatStatusTable, statusRows } from "./status.js";
export { ATTEMPT_PHASES, isGroup, ownWorkDone, taskGraph, waitGraph } from "./task-graph.js";
export type { Outcome, TaskGraph } from "./task-graph.js";
