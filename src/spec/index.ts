// The public API of src/spec/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { DEFAULT_CONFIG } from "./config.js";
export type { Config } from "./config.js";
export { heldBy } from "./held.js";
export { lintMission } from "./lint.js";
export { CONFIG_PATH, LIMITS, loadConfig, loadMission, readUserFileSync } from "./load.js";
export { createSpecCache, generationOf, sortProblems } from "./mission.js";
export type { SpecCache } from "./mission.js";
export { ROLES } from "./model.js";
export type { ApprovalPolicy, Budget, Mission, Role, TaskId, TaskSpec } from "./model.js";
export { assignIds, setChecked } from "./todo-edit.js";
export { taskLines } from "./todo.js";
export { classifyUncheck } from "./uncheck.js";
