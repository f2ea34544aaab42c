// One planner session: the goal in, a checked plan out. An answer that is not a valid plan (not JSON,
// the schema, unknown deps, a cycle, too many tasks, …) is sent back in the same session with the
// errors, up to `maxRetries` times; then the outcome says why there is no plan. Nothing is written here.
import type { Mission, TaskId } from "../spec/index.js";
import { ZERO_USAGE, extractJson, renderPrompt, type AgentRuntime, type SessionError, type SessionEvent, type Usage } from "../runtime/index.js";
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
interface PlanSpend {
  sessionId: string;
  usage: Usage;
  costUsd: number;
  /** Answers that were not valid plans. */
  invalid: number;
}

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
function readAnswer(text: string, ctx: PlanContext): { plan: CheckedPlan } | { errors: string[] } {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (err) {
    return { errors: [`not JSON: ${(err as Error).message}`] };
  }
  return checkPlan(raw, ctx);
}

/**
 * Runs the planner: `requestPlan(runtime, request)` → PlanOutcome. The runtime is passed in (the
 * CLI's, or the reconciler's for a split); nothing is written.
 */
export async function requestPlan(runtime: AgentRuntime, req: PlanRequest): Promise<PlanOutcome> {
  const key = req.taskKey ?? req.parent?.id ?? "plan";
  const attempt = req.attempt ?? 1;
  const spent: PlanSpend = { sessionId: "", usage: { ...ZERO_USAGE }, costUsd: 0, invalid: 0 };
  let prompt = planPrompt(req);
  for (;;) {
    const handle = await runtime.start(
      {
        taskId: key,
        attempt,
        role: "planner",
        directory: req.directory,
        ...(req.model ? { model: req.model } : {}),
        title: req.parent ? `${req.parent.id} split (attempt ${attempt})` : `plan: ${req.goal.trim().split("\n")[0]!.slice(0, 60)}`,
        prompt,
        // Nobody answers a planner's permission asks: whatever would ask is denied.
        approval: "deny",
        ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
        ...(spent.sessionId ? { sessionId: spent.sessionId } : {}),
      },
      req.onEvent ?? (() => {}),
    );
    const res = await handle.done;
    spent.sessionId = res.sessionId;
    for (const k of Object.keys(spent.usage) as Array<keyof Usage>) spent.usage[k] += res.usage[k];
    spent.costUsd += res.costUsd;
    if (!res.ok) return { ok: false, error: res.error ?? { code: "model-error", message: "the planner session failed", terminal: false, infrastructure: false }, errors: [], lastOutput: res.text, ...spent };
    const answer = readAnswer(res.text, req.check);
    if ("plan" in answer) return { ok: true, plan: answer.plan, ...spent };
    if (spent.invalid >= req.maxRetries)
      return {
        ok: false,
        error: { code: "invalid-plan", message: `the planner gave no valid plan in ${spent.invalid + 1} answer${spent.invalid ? "s" : ""}`, terminal: true, infrastructure: false },
        errors: answer.errors,
        lastOutput: res.text,
        ...spent,
      };
    spent.invalid++;
    prompt = retryPrompt(answer.errors);
  }
}
