// Who may do what: a pure decision from the config's policy, the task's approval setting and
// the role, plus the OpenCode permission rules that enforce it on the server side.
import type { ApprovalPolicy, Role } from "../spec/index.js";

export type PermissionAction = "allow" | "deny" | "ask";
/** config.permissions: OpenCode permission kind → action. */
export type PermissionPolicy = Record<string, PermissionAction>;

/** Kinds orch always sets for every session, so nothing falls back to OpenCode's own "ask" defaults. */
const KNOWN_KINDS = ["read", "edit", "bash", "glob", "grep", "list", "webfetch", "websearch", "external_directory", "doom_loop", "task", "todowrite", "question"] as const;

/** Kinds that change files or run commands: the ones a task with `approval: ask` routes to a person. */
const MUTATING = new Set(["edit", "bash", "webfetch", "websearch"]);
/** Kinds that only read inside the working directory: allowed unless the policy says otherwise. */
const READ_ONLY = new Set(["read", "glob", "grep", "list", "todowrite"]);

/** What each role may never do, whatever the policy says. */
const ROLE_DENY: Record<Role, readonly string[]> = {
  // Workers and fixers may edit only inside the task's directory and may not start sub-agents.
  worker: ["task", "external_directory", "question"],
  fixer: ["task", "external_directory", "question"],
  // The reviewer judges; it must not change the code it judges.
  reviewer: ["task", "external_directory", "edit", "question"],
  searcher: ["task", "external_directory", "edit", "bash", "question"],
  // The planner only reads the repository; orch writes the tasks it answers.
  planner: ["task", "external_directory", "edit", "bash", "webfetch", "websearch", "question"],
};

/**
 * Decides one permission request. Pure.
 * - role limits first (deny);
 * - the policy's action for the kind (read-only kinds default to allow, unknown kinds to deny);
 * - task approval `ask` turns mutating allows into asks; `deny` turns every ask into a deny,
 *   so an unattended task never waits for a person.
 */
export function decidePermission(
  policy: PermissionPolicy,
  kind: string,
  taskApproval: ApprovalPolicy | undefined,
  role: Role = "worker",
): PermissionAction {
  if (ROLE_DENY[role].includes(kind)) return "deny";
  const base: PermissionAction = policy[kind] ?? (READ_ONLY.has(kind) ? "allow" : "deny");
  if (taskApproval === "ask" && base === "allow" && MUTATING.has(kind)) return "ask";
  if (taskApproval === "deny" && base === "ask") return "deny";
  return base;
}

/** OpenCode's per-agent `permission` config object for a role, from the policy. */
export function agentPermissionConfig(policy: PermissionPolicy, role: Role, taskApproval?: ApprovalPolicy): Record<string, PermissionAction> {
  const kinds = new Set<string>([...KNOWN_KINDS, ...Object.keys(policy)]);
  return Object.fromEntries([...kinds].map((k) => [k, decidePermission(policy, k, taskApproval, role)]));
}

/** One OpenCode permission rule (session-level rules are evaluated after the agent's). */
export interface PermissionRule {
  permission: string;
  pattern: string;
  action: PermissionAction;
}

/** Session-level rules for a request on any server (external ones do not know orch's agents). */
export function sessionRules(policy: PermissionPolicy, role: Role, taskApproval?: ApprovalPolicy): PermissionRule[] {
  return Object.entries(agentPermissionConfig(policy, role, taskApproval)).map(([permission, action]) => ({ permission, pattern: "*", action }));
}
