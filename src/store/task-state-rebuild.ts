// A task's state rebuilt from its history: what replaces a damaged state record.
import { PhaseSchema, TaskStateSchema, type Phase, type TaskState } from "./task-state-schema.js";
import { UsageSchema, type Usage } from "../runtime/index.js";
import type { HistoryEvent } from "./types.js";

const TERMINAL: Phase[] = ["Succeeded", "Failed", "Cancelled"];

/**
 * Rebuilds a task's state from its history, pure. The phase is the last transition's `to`; the
 * generation is the one that transition recorded in `detail.generation`, else `generation`.
 * Token and cost figures on events are per step, so they are summed.
 */
export function rebuildTaskState(id: string, events: HistoryEvent[], generation: string, now: string): TaskState {
  const mine = events.filter((e) => e.task === id);
  const transitions = mine.filter((e) => PhaseSchema.safeParse(e.to).success);
  const last = transitions.at(-1);
  const phase: Phase = last ? PhaseSchema.parse(last.to) : "Pending";
  const gen = typeof last?.detail?.generation === "string" ? last.detail.generation : generation;
  const usage: Usage = UsageSchema.parse({});
  let costUsd = 0;
  const sessions: TaskState["sessions"] = [];
  let lastError: TaskState["lastError"];
  for (const e of mine) {
    costUsd += e.costUsd ?? 0;
    const u = UsageSchema.partial().safeParse(e.detail?.usage);
    if (u.success) for (const k of Object.keys(usage) as (keyof Usage)[]) usage[k] += u.data[k] ?? 0;
    if (e.session && !sessions.some((s) => s.id === e.session)) {
      sessions.push({ id: e.session, role: e.role ?? "worker", attempt: e.attempt ?? 0, startedAt: e.at });
    }
    if (e.error) lastError = { code: e.kind, message: e.error, terminal: false, at: e.at };
  }
  if (lastError && phase === "Failed") lastError.terminal = true;
  return TaskStateSchema.parse({
    id,
    phase,
    generation: gen,
    observedGeneration: gen,
    conditions: [
      {
        type: "Rebuilt",
        status: "True",
        reason: "CorruptRecord",
        message: `rebuilt from ${mine.length} history events`,
        at: now,
        observedGeneration: gen,
      },
    ],
    attempts: Math.max(0, ...mine.map((e) => e.attempt ?? 0)),
    sessions,
    createdAt: mine[0]?.at ?? now,
    updatedAt: now,
    startedAt: mine.find((e) => e.to === "Running")?.at,
    finishedAt: TERMINAL.includes(phase) ? last?.at : undefined,
    usage,
    costUsd,
    lastError,
  });
}
