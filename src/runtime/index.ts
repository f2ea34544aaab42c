// The public API of src/runtime/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { askUntilValid, extractJson, issueLines } from "./answer.js";
export type { AnswerSpend } from "./answer.js";
export { clearApproval, decide } from "./approvals.js";
export type { Decision } from "./approvals.js";
export { available, checkoutPlan, decideConfinement, workspacePlan, workspacesPlan, wrap } from "./confinement.js";
export type { ConfinePlan, SandboxMode } from "./confinement.js";
export { createRuntime, usesDemoProvider } from "./create-runtime.js";
export type { LocalModel } from "./create-runtime.js";
export { DEMO_PROVIDER, repoOpencodeConfig, routedModels } from "./opencode-config.js";
export { listProviders, probeBaseURL } from "./providers.js";
export type { ProviderInfo, ProviderList } from "./providers.js";
export { runReview } from "./review.js";
export type { ReviewOutcome } from "./review.js";
export { authHeaders } from "./server.js";
export { renderPrompt, routeModel, splitModel, workerInput } from "./roles.js";
export { probeServer, resolveBinary } from "./versions.js";
export type { RuntimeChoice } from "./versions.js";
export { UsageSchema, ZERO_USAGE } from "./types.js";
export type { AgentRuntime, SessionError, SessionEvent, SessionHandle, SessionRequest, SessionResult, Usage } from "./types.js";
