// One pass of the reconcile loop: re-read desired and actual state, plan() over them, report the plan,
// and apply it. The loop (loop.ts) decides when a pass runs; a pass says whether to look again and when.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Config, Mission } from "../spec/index.js";
import type { Clock } from "../util/index.js";
import type { TaskState, TaskStates } from "../store/index.js";
import { ownWorkDone, taskGraph } from "../graph/index.js";
import type { Plan } from "./actions.js";
import { readActual } from "./actual.js";
import { TaskAges } from "./ages.js";
import { InboxAnswers } from "./answers.js";
import { assignMissingIds } from "./assign-ids.js";
import type { DesiredState } from "./desired.js";
import type { Executor, ExecutorEnv } from "./executor.js";
import type { LoopOptions } from "./loop.js";
import { plan } from "./plan.js";
import type { ServerHealth } from "./server-health.js";
import { classifier } from "./uncheck.js";

/** The mission with every task held (plan.ts: no start, redo, reset or adoption for a held task). */
function heldAll(m: Mission): Mission {
  return { ...m, tasks: m.tasks.map((t) => ({ ...t, held: true })) };
}

/** The parts of the loop a pass reads. */
export interface PassParts {
  opts: LoopOptions;
  desired: DesiredState;
  states: TaskStates;
  running: ExecutorEnv["running"];
  clock: Clock;
  server: ServerHealth;
  executor: Executor;
  /** The mission budget's minutes count from here (docs/RECONCILER.md). */
  startedAt: number;
  /** What finalized tasks had spent: their records are gone, their spend is still the mission's. */
  carried: { tokens: number; usd: number };
  config(): Config;
  fence(): ReturnType<ExecutorEnv["fence"]>;
  /** Asks for a pass after `ms` (time-based work: a retry, a stall deadline). */
  requeue(ms: number): void;
}

/** Runs the loop's passes, numbered, and keeps what they saw last. */
export class Passes {
  private n = 0;
  private readonly ages = new TaskAges();
  /** A person's answers to the questions of tasks that wait for one (the inbox). */
  private readonly answers: InboxAnswers;
  /** The mission-budget stop last reported (said once, again only after it cleared). */
  private budgetShown: string | undefined;
  /** The last plan, for `orch run`'s "nothing left to do" test. */
  lastPlan: Plan | undefined;
  /** Every task's state as the last pass read it, for the live view. */
  lastStates: ReadonlyMap<string, TaskState> = new Map();

  constructor(private readonly p: PassParts) {
    this.answers = new InboxAnswers(p.opts.store.inbox, p.opts.emit);
  }

  /** One pass: re-reads everything, plans, applies; true when another pass should follow at once. */
  async run(): Promise<boolean> {
    const { p } = this;
    const { emit } = p.opts;
    const t0 = performance.now();
    const n = ++this.n;
    await p.desired.load();
    // Files with errors (TODO.md, the config): the last valid mission is planned with every task held,
    // so nothing starts, is redone or finalized from them; running sessions meet only the rules that stop one.
    const invalid = p.desired.invalid.length > 0;
    const valid = p.desired.mission;
    const mission = invalid && valid ? heldAll(valid) : valid;
    // The next pass reads the lines with their new ids.
    if (mission && !invalid && (await this.assignIds(mission))) return true;
    if (!mission) {
      // Nothing valid to act on yet (the problems were shown): `orch run` ends, `orch watch` waits for a fix.
      this.lastPlan = { actions: [] };
      return false;
    }
    const { actual, controls } = await readActual(p.states, p.opts.store.records, p.running, (id, message) => emit({ type: "error", task: id, message }));
    this.lastStates = actual;
    // Read after the text: a write since then only makes the time later (the safe side: a redo).
    const todoModifiedAt = await stat(path.resolve(p.opts.root, mission.todoFile)).then(
      (st) => st.mtime.toISOString(),
      () => undefined,
    );
    const now = p.clock.now();
    this.ages.update(new Set(mission.tasks.map((t) => t.id)), new Set(actual.keys()), now);
    const config = p.config();
    const { answers, texts: questions } = this.answers.read(actual);
    const inbox = { answers, questions };
    const pl = plan(mission, actual, {
      now,
      config,
      running: p.running,
      breaker: p.server.breakerAt(now),
      controls,
      classifyUncheck: classifier(mission, p.desired.todoText, actual, todoModifiedAt),
      missingSince: this.ages.missingSince,
      deleteGraceMs: p.opts.deleteGraceMs ?? 1000,
      seenSince: this.ages.seenSince,
      missionStartedAt: p.startedAt,
      missionCarried: p.carried,
      ...inbox,
    });
    this.lastPlan = pl;
    this.reportMissionBudget(pl.missionBudget);
    for (const a of pl.actions) {
      emit({ type: "action", pass: n, action: a });
      if (a.type === "start") p.server.started();
    }
    await p.executor.apply(pl.actions);
    // State writes can make more work ready (a group checked, a dep done): look again until a pass has nothing to do.
    const again = pl.actions.some((a) => a.type === "set" || a.type === "check" || a.type === "uncheck" || a.type === "finalize");
    // Sessions started in this pass were not in its plan: their stall deadline needs a pass too.
    const wake = Math.min(pl.requeueAfterMs ?? Infinity, p.running.size > 0 ? config.stallSec * 1000 : Infinity);
    if (wake !== Infinity) p.requeue(wake);
    emit({ type: "pass", pass: n, ms: Math.round(performance.now() - t0), actions: pl.actions.length, tasks: mission.tasks.length });
    if (pl.actions.length === 0 && p.running.size === 0) {
      const g = taskGraph(mission.tasks, (t) => ownWorkDone(t, actual.get(t.id)));
      const done = mission.tasks.filter((t) => g.done(t.id)).length;
      emit({ type: "idle", done, total: mission.tasks.length });
    }
    return again;
  }

  /** Says once that the mission budget stopped the work (orch watch then waits for a higher budget). */
  private reportMissionBudget(over: string | undefined): void {
    if (over && !this.budgetShown) {
      const next = this.p.opts.watch ? "waiting for a higher missionBudget in .orchestrator/config.json" : "orch run stops";
      this.p.opts.emit({ type: "error", message: `mission budget used up (${over}): no new attempts, running ones aborted; ${next}` });
    }
    this.budgetShown = over;
  }

  /** Writes ids into id-less task lines; true when it wrote any. */
  private async assignIds(mission: Mission): Promise<boolean> {
    const assigned = await assignMissingIds(this.p.opts.store, mission, this.p.config().idPrefix, this.p.fence());
    if (assigned.length) this.p.opts.emit({ type: "ids", file: mission.todoFile, assigned });
    return assigned.length > 0;
  }
}
