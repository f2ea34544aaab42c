// The public API of src/spec/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { DEFAULT_CONFIG } from "./config.js";
export type { Config } from "./config.js";
export { heldBy } from "./held.js";
export { lintMission } from "./lint.js";
export { nextIds, idsInUse } from "./ids.js";
export { CONFIG_PATH, LIMITS, loadConfig, loadMission, readUserFileSync, symlinkEscape } from "./load.js";
export { createSpecCache, generationOf, leavesRepo, sortProblems } from "./mission.js";
export { PlanSchema } from "./plan-schema.js";
export type { PlanTask } from "./plan-schema.js";
export type { SpecCache } from "./mission.js";
export { ROLES } from "./model.js";
export type { ApprovalPolicy, Budget, Ladder, Mission, Role, TaskId, TaskSpec } from "./model.js";
export { assignIds, setChecked } from "./todo-edit.js";
export { findHeading, insertTaskLines } from "./todo-insert.js";
export type { LinePlacement } from "./todo-insert.js";
export { parseTaskFile } from "./task-file.js";
export { parseTodo, taskLines } from "./todo.js";
export { classifyUncheck } from "./uncheck.js";
