// The schema of one task's actual state, as the store records it under .orchestrator/state/<id>.json.
import { z } from "zod";
import { UsageSchema, ZERO_USAGE } from "../runtime/index.js";

const PHASES = [
  "Pending",
  "Blocked",
  "Running",
  "Verifying",
  "Reviewing",
  "Succeeded",
  "Failed",
  "Stalled",
  "AwaitingApproval",
  /** The ladder's last rung: a question in .orchestrator/inbox/<id>.md waits for a person's answer (not Failed). */
  "WaitingForPerson",
  "Suspended",
  "Cancelled",
] as const;
export const PhaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof PhaseSchema>;

const ConditionSchema = z
  .object({
    type: z.string(),
    status: z.enum(["True", "False", "Unknown"]),
    reason: z.string(),
    message: z.string().default(""),
    at: z.string(),
    observedGeneration: z.string(),
  })
  .strict();

const SessionRefSchema = z
  .object({
    id: z.string(),
    role: z.string(),
    attempt: z.number().int(),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    outcome: z.string().optional(),
  })
  .strict();

const VerifyResultSchema = z
  .object({
    ok: z.boolean(),
    at: z.string(),
    commands: z.array(
      z
        .object({
          command: z.string(),
          exitCode: z.number().int().nullable(),
          timedOut: z.boolean().default(false),
          durationMs: z.number(),
          /** The last few KB of combined stdout+stderr. */
          output: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

export const TaskStateSchema = z
  .object({
    id: z.string(),
    phase: PhaseSchema,
    /** Generation of the spec this state was last acted on (what the running/finished attempt built). */
    generation: z.string(),
    /** Generation the reconciler last looked at. */
    observedGeneration: z.string(),
    conditions: z.array(ConditionSchema).default([]),
    attempts: z.number().int().nonnegative().default(0),
    sessions: z.array(SessionRefSchema).default([]),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    nextAttemptAt: z.string().optional(),
    usage: UsageSchema.prefault({}),
    costUsd: z.number().nonnegative().default(0),
    lastVerify: VerifyResultSchema.optional(),
    lastReview: z
      .object({ approved: z.boolean(), summary: z.string(), findings: z.array(z.string()).default([]), at: z.string() })
      .strict()
      .optional(),
    lastError: z
      .object({ code: z.string(), message: z.string(), terminal: z.boolean(), at: z.string() })
      .strict()
      .optional(),
    /** Set when orch itself checked the box, so a later uncheck can be classified. */
    checkedByOrch: z
      .object({ at: z.string(), generation: z.string(), lineBefore: z.string(), lineAfter: z.string() })
      .strict()
      .optional(),
    /** Usage when the current generation's budget started (a redo or an edit starts a fresh budget). */
    budgetFrom: z.object({ at: z.string(), tokens: z.number(), usd: z.number() }).strict().optional(),
    /** The last `orch retry` request this task acted on (see control/requests). */
    retryHandled: z.string().optional(),
    /** Deps not yet Succeeded at their current generation, while the phase is Blocked. */
    blockedBy: z.array(z.string()).optional(),
    /** The ladder split the task into these subtasks: once they are done, its next attempt runs its own verify once more (no session). */
    split: z.object({ into: z.array(z.string()), at: z.string() }).strict().optional(),
    /** A person's answer to the task's question (.orchestrator/inbox/<id>.md): it goes into the next attempts' prompts. */
    answer: z.object({ text: z.string(), at: z.string() }).strict().optional(),
    /** Holder and fencing token of the lease under which the current attempt runs. */
    owner: z.object({ holder: z.string(), token: z.number().int() }).strict().optional(),
  })
  .strict();
export type TaskState = z.infer<typeof TaskStateSchema>;

/** Fields to change on a task's state record; `undefined` removes an optional field. */
export type StatePatch = { [K in keyof TaskState]?: TaskState[K] | undefined };

/** Applies a patch to a state value (pure; used by the repository, the reconciler and tests that simulate passes). */
export function applyPatch(s: TaskState, patch: StatePatch): TaskState {
  const next: Record<string, unknown> = { ...s };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return next as TaskState;
}

/** A fresh record for a task orch sees for the first time. */
export function freshState(id: string, generation: string, at: string): TaskState {
  return {
    id,
    phase: "Pending",
    generation,
    observedGeneration: generation,
    conditions: [],
    attempts: 0,
    sessions: [],
    createdAt: at,
    updatedAt: at,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
  };
}
