// The planner's spend in the mission history: one `plan` event per planner session (written or not),
// so `orch log` and `orch status` count what planning cost (the mission budget sums task records only).
import type { HistoryEvent } from "../store/index.js";
import type { PlanOutcome } from "./request.js";

/** The history key of plans made for the whole mission (`orch plan`); a split records under its task. */
export const MISSION_KEY = "mission";

/** What a plan event says besides the spend. */
export interface PlanEventDetail {
  /** The goal's first line. */
  goal: string;
  /** Ids written (none: a dry run, or no valid plan). */
  written: string[];
  dryRun?: boolean;
  held?: boolean;
}

/** The history event of one planner session. */
export function planEvent(outcome: PlanOutcome, at: string, detail: PlanEventDetail, task = MISSION_KEY): HistoryEvent {
  const u = outcome.usage;
  return {
    at,
    task,
    kind: outcome.ok ? "plan" : "plan-failed",
    ...(outcome.sessionId ? { session: outcome.sessionId } : {}),
    role: "planner",
    tokens: u.input + u.output + u.reasoning,
    costUsd: outcome.costUsd,
    ...(outcome.ok ? {} : { error: outcome.error.message }),
    detail: {
      goal: detail.goal.trim().split("\n")[0]!.slice(0, 200),
      tasks: outcome.ok ? outcome.plan.tasks.map((t) => t.id) : [],
      written: detail.written,
      invalidAnswers: outcome.invalid,
      ...(detail.dryRun ? { dryRun: true } : {}),
      ...(detail.held ? { held: true } : {}),
    },
  };
}
