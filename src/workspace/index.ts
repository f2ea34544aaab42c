// The public API of src/workspace/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { gitRun, identityEnv } from "./git.js";
export { integrate } from "./integrate.js";
export type { Integrated } from "./integrate.js";
export { journalPath, mergeReached } from "./merge-journal.js";
export { recoverAtStart } from "./recover.js";
export { SEALED_ENV, sealWorkspace } from "./seal.js";
export { branchOf, checkedOutBranch, integrationTip, openWorkspace, rememberBase, removeWorkspace, workspacesUsed } from "./workspaces.js";
export type { Workspace } from "./workspaces.js";
export { workspaceHolders } from "./slots.js";
export { workspaceTree } from "./verified-tree.js";
