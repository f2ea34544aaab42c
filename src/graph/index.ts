// The public API of src/graph/: what other folders may import (generated from their imports; keep it small).
export { criticalPathLengths } from "./critical-path.js";
export { findCycles } from "./dag.js";
export { formatStatusTable, statusRows } from "./status.js";
export { isGroup, ownWorkDone, taskGraph, waitGraph } from "./task-graph.js";
export type { Outcome, TaskGraph } from "./task-graph.js";
