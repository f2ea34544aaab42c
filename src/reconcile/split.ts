// The ladder's split rung wired to the planner (src/plan/): one planner session in the attempt's
// folder plans the failing task's subtasks, checked as `orch plan` checks a plan, and writes them as
// nested items under the task's line in TODO.md, with their task files, through the locked writers.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config, Mission } from "../spec/index.js";
import type { Fence, Store } from "../store/index.js";
import { routeModel, type AgentRuntime } from "../runtime/index.js";
import { planEvent, repoPlanContext, requestPlan, writePlan } from "../plan/index.js";
import type { Splitter } from "./attempt-ladder.js";

/** What a split needs from the loop. */
export interface SplitParts {
  store: Store;
  runtime: AgentRuntime;
  config(): Config;
  mission(): Mission | undefined;
  fence(): Fence | undefined;
}

/** The splitter of the loop's attempts. */
export function planSplitter(p: SplitParts): Splitter {
  return async ({ task: t, why, directory, attempt, onEvent, planned }) => {
    const config = p.config();
    const mission = p.mission();
    if (!mission) throw new Error("no valid mission to split a task of");
    const todoText = await readFile(path.join(p.store.root, mission.todoFile), "utf8");
    const placement = { parentTask: t.id };
    const check = await repoPlanContext(p.store, config, mission, todoText, placement);
    const goal = `Split task ${t.id} (${t.title}) into smaller tasks, each of which one session can finish and verify: its attempts so far failed.\n\n${why}`;
    const model = routeModel(config, t, "planner");
    const out = await requestPlan(p.runtime, { goal, directory, ...(model ? { model } : {}), check, maxRetries: config.plan.maxRetries, parent: { id: t.id, title: t.title, body: t.body }, taskKey: t.id, attempt, onEvent });
    const spent = { usage: out.usage, costUsd: out.costUsd };
    if (!out.ok) {
      const errors = out.errors.length ? `: ${out.errors.slice(0, 3).join("; ")}${out.errors.length > 3 ? "; …" : ""}` : "";
      return { ok: false, error: `${out.error.code}: ${out.error.message}${errors}`, event: planEvent(out, "", { goal, written: [] }, t.id), ...spent };
    }
    // The planner's spend counts against the task and the mission whatever the write's outcome.
    try {
      // The split and the planner's spend are recorded as the ids are given, before the lines go in.
      const claim = (ids: string[]) => planned(ids, { ...spent, event: planEvent(out, "", { goal, written: ids }, t.id) });
      const written = await writePlan(p.store, out.plan, { todoFile: mission.todoFile, tasksDir: config.tasksDir, placement, idPrefix: config.idPrefix }, p.fence(), claim);
      return { ok: true, into: written.ids, event: planEvent(out, "", { goal, written: written.ids }, t.id), ...spent };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), event: planEvent(out, "", { goal, written: [] }, t.id), ...spent };
    }
  };
}
