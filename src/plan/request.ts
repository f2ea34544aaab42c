// One planner session: the goal in, a checked plan out. An answer that is not a valid plan (not JSON,
// the schema, unknown deps, a cycle, too many tasks, …) is sent back in the same session with the
// errors, up to `maxRetries` times; then the outcome says why there is no plan. Nothing is written here.
import type { Mission, TaskId } from "../spec/index.js";
import { askUntilValid, extractJson, renderPrompt, type AgentRuntime, type AnswerSpend, type SessionError, type SessionEvent } from "../runtime/index.js";
import { checkPlan, type CheckedPlan, type PlanContext } from "./check.js";

/** What to plan, where, and against what. */
export interface PlanRequest {
  /** The goal, as a person wrote it (or, for a split, why the task is split). */
  goal: string;
  /** Where the session runs: the repository root (or a workspace of it). */
  directory: string;
  /** "provider/model" (routeModel(config, undefined, "planner")); absent: the server's default. */
  model?: string;
  /** What the planner is shown of the code (plan/context.ts), besides what it reads itself. */
  context?: string;
  /** The checks' inputs (mission, TODO.md's text, placement, ids, caps). */
  check: PlanContext;
  /** config.plan.maxRetries: re-prompts after an invalid answer. */
  maxRetries: number;
  /** A split: the task being split (its line and body go into the prompt). */
  parent?: { id: TaskId; title: string; body: string };
  /** The session's task key (approval files, titles): "plan" for `orch plan`, the task id for a split. */
  taskKey?: string;
  /** The attempt this belongs to (a split's); default 1. */
  attempt?: number;
  timeoutMs?: number;
  onEvent?: (e: SessionEvent) => void;
}

/** What the session cost. */
type PlanSpend = AnswerSpend;

/** A checked plan, or why there is none: the session failed, or its answers never validated (`errors`: the last ones). */
export type PlanOutcome = ({ ok: true; plan: CheckedPlan } & PlanSpend) | ({ ok: false; error: SessionError; errors: string[]; lastOutput: string } & PlanSpend);

/** Tasks listed in the prompt; a larger mission is summarised by its count. */
const MAX_LISTED = 200;

/** Errors quoted back to the planner at most. */
const MAX_ERRORS = 30;

/** The existing tasks, one line each, as the planner sees them. */
function taskList(mission: Mission): string {
  const lines = mission.tasks.slice(0, MAX_LISTED).map((t) => `- [${t.checked ? "x" : " "}] ${t.id} ${t.title}${t.deps.length ? ` (after ${t.deps.join(", ")})` : ""}${t.files.length ? ` — files: ${t.files.join(", ")}` : ""}`);
  if (mission.tasks.length > MAX_LISTED) lines.push(`- … and ${mission.tasks.length - MAX_LISTED} more`);
  return lines.join("\n");
}

/** The first prompt of a planner session. */
function planPrompt(req: PlanRequest): string {
  const goal = req.goal.trim();
  const title = goal.split("\n")[0]!.replace(/^#+\s*/, "").slice(0, 120);
  return renderPrompt("planner", {
    id: req.parent?.id ?? "plan",
    title,
    body: goal,
    parent: req.parent ? `${req.parent.id} ${req.parent.title}\n\n${req.parent.body.trim()}` : undefined,
    tasks: taskList(req.check.mission),
    context: req.context,
    limit: String(req.check.maxTasks),
  });
}

/** The re-prompt after an invalid answer. */
function retryPrompt(errors: string[]): string {
  const shown = errors.slice(0, MAX_ERRORS).map((e) => `- ${e}`);
  if (errors.length > MAX_ERRORS) shown.push(`- … and ${errors.length - MAX_ERRORS} more`);
  return `Your plan was not accepted:\n${shown.join("\n")}\n\nAnswer again with the whole corrected plan as ONE JSON object and nothing else: {"summary": string, "tasks": [{"id", "title", "type", "deps", "files", "verify", "body", "acceptance"}]}.`;
}

/** Validates an answer; the plan, or the errors to send back. */
function readAnswer(text: string, ctx: PlanContext): { value: CheckedPlan } | { errors: string[] } {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (err) {
    return { errors: [`not JSON: ${(err as Error).message}`] };
  }
  const checked = checkPlan(raw, ctx);
  return "plan" in checked ? { value: checked.plan } : checked;
}

/**
 * Runs the planner: `requestPlan(runtime, request)` → PlanOutcome. The runtime is passed in (the
 * CLI's, or the reconciler's for a split); nothing is written.
 */
export async function requestPlan(runtime: AgentRuntime, req: PlanRequest): Promise<PlanOutcome> {
  const out = await askUntilValid(runtime, {
    session: {
      taskId: req.taskKey ?? req.parent?.id ?? "plan",
      attempt: req.attempt ?? 1,
      role: "planner",
      directory: req.directory,
      ...(req.model ? { model: req.model } : {}),
      title: req.parent ? `${req.parent.id} split (attempt ${req.attempt ?? 1})` : `plan: ${req.goal.trim().split("\n")[0]!.slice(0, 60)}`,
      prompt: planPrompt(req),
      // Nobody answers a planner's permission asks: whatever would ask is denied.
      approval: "deny",
      ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
    },
    read: (text) => readAnswer(text, req.check),
    maxInvalid: req.maxRetries,
    reprompt: retryPrompt,
    ...(req.onEvent ? { onEvent: req.onEvent } : {}),
  });
  const { sessionId, usage, costUsd, invalid } = out;
  const spent = { sessionId, usage, costUsd, invalid };
  if (out.ok) return { ok: true, plan: out.value, ...spent };
  if ("errors" in out)
    return {
      ok: false,
      error: { code: "invalid-plan", message: `the planner gave no valid plan in ${invalid + 1} answer${invalid ? "s" : ""}`, terminal: true, infrastructure: false },
      errors: out.errors,
      lastOutput: out.lastOutput,
      ...spent,
    };
  return { ok: false, error: out.error ?? { code: "model-error", message: "the planner session failed", terminal: false, infrastructure: false }, errors: [], lastOutput: out.lastOutput, ...spent };
}
