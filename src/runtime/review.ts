// The reviewer step: one reviewer session judges a diff against the acceptance criteria and
// must answer a JSON verdict; invalid answers are re-prompted (same session) with the errors.
import { z } from "zod";
import type { ApprovalPolicy } from "../spec/index.js";
import { sessionError } from "./errors.js";
import { acceptanceCriteria, renderPrompt } from "./roles.js";
import { askUntilValid, extractJson, issueLines, type AnswerSpend } from "./answer.js";
import type { AgentRuntime, SessionError, SessionEvent } from "./types.js";

/** The reviewer's structured answer. */
const VerdictSchema = z
  .object({
    approved: z.boolean(),
    summary: z.string().min(1),
    findings: z.array(z.string()).default([]),
  })
  .strict();
type Verdict = z.infer<typeof VerdictSchema>;

export interface ReviewInput {
  task: { id: string; title: string; body: string };
  diff: string;
  /** Defaults to the task body's acceptance-criteria section (or the whole body). */
  criteria?: string;
  directory: string;
  attempt: number;
  model?: string;
  approval?: ApprovalPolicy;
  onEvent?: (e: SessionEvent) => void;
}

type Spent = AnswerSpend;
/** A verdict, or why there is none (session failure, or invalid answers past the limit). */
export type ReviewOutcome = ({ ok: true; verdict: Verdict } & Spent) | ({ ok: false; error: SessionError; lastOutput?: string } & Spent);

const MAX_DIFF = 60_000;

/** Validates an answer; returns the verdict or readable errors for the re-prompt. */
function parseVerdict(text: string): { value: Verdict } | { errors: string } {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (err) {
    return { errors: `not JSON: ${(err as Error).message}` };
  }
  const r = VerdictSchema.safeParse(raw);
  if (r.success) return { value: r.data };
  return { errors: issueLines(r.error).join("; ") };
}

/**
 * Runs the review: stable signature for the attempt pipeline
 * `runReview(runtime, input, maxInvalid)` → ReviewOutcome. `maxInvalid` = config.review.maxInvalidVerdicts.
 */
export async function runReview(runtime: AgentRuntime, input: ReviewInput, maxInvalid: number): Promise<ReviewOutcome> {
  const criteria = input.criteria?.trim() || acceptanceCriteria(input.task.body) || input.task.body.trim() || input.task.title;
  const diff = input.diff.length > MAX_DIFF ? `${input.diff.slice(0, MAX_DIFF)}\n… (diff truncated at ${MAX_DIFF} characters)` : input.diff;
  const out = await askUntilValid(runtime, {
    session: {
      taskId: input.task.id,
      attempt: input.attempt,
      role: "reviewer",
      directory: input.directory,
      model: input.model,
      title: `${input.task.id} review (attempt ${input.attempt})`,
      prompt: renderPrompt("reviewer", { id: input.task.id, title: input.task.title, body: input.task.body, criteria, diff: diff || "(empty diff)" }),
      approval: input.approval,
    },
    read: parseVerdict,
    maxInvalid,
    reprompt: (errors) => `Your answer is not a valid verdict (${errors}). Answer again with ONE JSON object and nothing else: {"approved": boolean, "summary": string, "findings": string[]}.`,
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
  });
  const { sessionId, usage, costUsd, invalid } = out;
  const spent = { sessionId, usage, costUsd, invalid };
  if (out.ok) return { ok: true, verdict: out.value, ...spent };
  if ("errors" in out) return { ok: false, error: sessionError("invalid-verdict", `reviewer gave no valid verdict after ${invalid + 1} answers: ${out.errors}`), lastOutput: out.lastOutput, ...spent };
  return { ok: false, error: out.error ?? sessionError("model-error", "review session failed"), lastOutput: out.lastOutput, ...spent };
}
