// The public API of src/plan/: from a goal to tasks. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { repoPlanContext } from "./check.js";
export type { CheckedPlan } from "./check.js";
export { planContext } from "./context.js";
export { planDiff } from "./diff.js";
export { MISSION_KEY, planEvent } from "./record.js";
export { requestPlan } from "./request.js";
export type { PlanOutcome } from "./request.js";
export { writePlan } from "./write.js";
