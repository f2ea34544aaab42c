// The actual state one pass plans against: every task's record, the control record, and the usage of
// sessions still running that their records do not have yet (so budgets see spending as it happens).
import type { RecordStore, TaskStates, TaskState } from "../store/index.js";
import { usageAdded } from "./actions.js";
import { applyPatch } from "../store/index.js";
import { readControls } from "./controls.js";
import type { Controls } from "./plan.js";
import type { RunningEntry } from "./attempt.js";

/** Reads the records and controls; a running session's live usage is added until its record has its end. */
export async function readActual(
  states: Pick<TaskStates, "readAll">,
  records: RecordStore,
  running: ReadonlyMap<string, Pick<RunningEntry, "live">>,
  onError: (id: string, message: string) => void,
): Promise<{ actual: Map<string, TaskState>; controls: Controls }> {
  const actual = await states.readAll(onError);
  const controls = await readControls(records);
  for (const [id, e] of running) {
    const s = actual.get(id);
    // Until the record has this session's end (and so its usage), count the live totals.
    if (!s || !e.live || s.sessions.some((x) => x.id === e.live!.sessionId && x.endedAt)) continue;
    actual.set(id, applyPatch(s, usageAdded(e.live.usage, e.live.costUsd)(s)));
  }
  return { actual, controls };
}
