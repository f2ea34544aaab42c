// The five roles: their prompts (files under prompts/), how a task becomes a prompt, which
// model each role uses, and the OpenCode agent definition of each.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Config, Role, TaskSpec } from "../spec/index.js";
import { ROLES } from "../spec/index.js";
import { agentPermissionConfig, type PermissionPolicy } from "./permissions.js";
import { packageRoot } from "../util/index.js";

/** prompts/ of the package. */
const PROMPTS_DIR = path.join(packageRoot(), "prompts");

const cache = new Map<string, string | undefined>();
function promptFile(name: string): string | undefined {
  if (!cache.has(name)) {
    try {
      cache.set(name, readFileSync(path.join(PROMPTS_DIR, name), "utf8"));
    } catch {
      // Missing: rolePrompt throws naming the file; renderPrompt's callers fall back where they may.
      cache.set(name, undefined);
    }
  }
  return cache.get(name);
}

/** The agent (system) prompt of a role. */
export function rolePrompt(role: Role): string {
  const text = promptFile(`${role}.md`);
  if (text === undefined) throw new Error(`missing prompt file prompts/${role}.md`);
  return text;
}

/** Values a task prompt is rendered from; absent sections are left out. */
export interface PromptInput {
  id: string;
  title: string;
  body: string;
  criteria?: string;
  /** One line per dependency: "T1: summary". */
  deps?: string;
  scope?: string;
  context?: string;
  diff?: string;
  findings?: string;
  /** The planner's: the task being split, the task list's tasks, the cap on its answer. */
  parent?: string;
  tasks?: string;
  limit?: string;
  /** A person's answer to the task's question (the ladder's last rung). */
  answer?: string;
}

/** Renders `{{name}}` values and `{{#name}}…{{/name}}` blocks (kept only when the value is non-empty). */
function renderTemplate(tpl: string, values: Record<string, string | undefined>): string {
  const withBlocks = tpl.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, name: string, inner: string) => (values[name]?.trim() ? inner : ""));
  return withBlocks.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => values[name] ?? "").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/** The user message of a session: the role's task template rendered (or the body, for roles without one). */
export function renderPrompt(role: Role, input: PromptInput): string {
  const tpl = promptFile(`${role}.task.md`);
  return renderTemplate(tpl ?? "{{body}}", { ...input });
}

/** The acceptance criteria of a task body: the section under a heading naming them, if any. */
export function acceptanceCriteria(body: string): string {
  const lines = body.split("\n");
  const start = lines.findIndex((l) => /^#{1,6}\s.*(acceptance|criteria|done when)/i.test(l));
  if (start < 0) return "";
  const level = /^(#+)/.exec(lines[start]!)![1]!.length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim();
}

/** Builds a worker's prompt input from its task, dependency summaries and context pack. */
export function workerInput(task: TaskSpec, depSummaries: Record<string, string>, context?: string): PromptInput {
  return {
    id: task.id,
    title: task.title,
    body: task.body.trim() || task.title,
    criteria: acceptanceCriteria(task.body),
    deps: task.deps.map((d) => `- ${d}: ${depSummaries[d]?.trim() || "(done, no summary)"}`).join("\n"),
    scope: task.files.map((f) => `- ${f}`).join("\n"),
    context,
  };
}

const WORK_ROLES: readonly Role[] = ["worker", "fixer"];

/**
 * The "provider/model" for a role on a task. Work roles: the task's own model, then its type's,
 * then the role's, then the default (none: the server's own default model). Other roles (reviewer, planner, searcher): the role's model
 * first (a cheap one for search and planning), then as for work.
 */
export function routeModel(config: Config, task: Pick<TaskSpec, "model" | "type"> | undefined, role: Role): string | undefined {
  const m = config.models;
  const byType = task?.type ? m.byType[task.type] : undefined;
  const byRole = m.byRole[role];
  const chain = WORK_ROLES.includes(role) ? [task?.model, byType, byRole] : [byRole, task?.model, byType];
  return chain.find((x): x is string => typeof x === "string" && x.length > 0) ?? m.default;
}

/** Splits "provider/model" (the model id may itself contain slashes). */
export function splitModel(model: string): { providerID: string; modelID: string } {
  const i = model.indexOf("/");
  if (i <= 0 || i === model.length - 1) throw new Error(`model "${model}" is not of the form provider/model`);
  return { providerID: model.slice(0, i), modelID: model.slice(i + 1) };
}

/** Tools each role may use (OpenCode `tools` map); the task tool is off for everyone. */
const ROLE_TOOLS: Record<Role, Record<string, boolean>> = {
  worker: { task: false },
  fixer: { task: false },
  reviewer: { task: false, write: false, edit: false, patch: false, todowrite: false },
  searcher: { task: false, write: false, edit: false, patch: false, bash: false, todowrite: false },
  // The planner reads (read, grep, glob, list) and answers a plan: orch writes the tasks.
  planner: { task: false, write: false, edit: false, patch: false, bash: false, todowrite: false, webfetch: false },
};

/** `agent.<role>` entries for the config of a server orch starts. */
export function agentConfigs(policy: PermissionPolicy): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    ROLES.map((role) => [
      role,
      { mode: "primary", description: `orch ${role}`, prompt: rolePrompt(role), tools: ROLE_TOOLS[role], permission: agentPermissionConfig(policy, role) },
    ]),
  );
}
