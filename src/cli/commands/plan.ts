// `orch plan "goal"` / `orch plan --from goal.md`: a planner session turns the goal into small tasks,
// orch checks them as it checks a person's edit and writes TODO.md lines and task files (docs/PLAN.md).
// Exit 0 written (or --dry-run printed), 1 the planner gave no valid plan, 2 bad input, 4 no server.
import path from "node:path";
import { realpathSync } from "node:fs";
import type { CommandModule } from "yargs";
import { OrchError, failureOf, formatProblem } from "../../util/index.js";
import { LIMITS, findHeading, loadMission, parseTodo, readUserFileSync, type Config, type LinePlacement } from "../../spec/index.js";
import { createRuntime, decideConfinement, routeModel, type RuntimeChoice } from "../../runtime/index.js";
import { ApprovalFiles, TaskStates, formatSpend, openStore, type Store } from "../../store/index.js";
import { planContext, planDiff, planEvent, repoPlanContext, requestPlan, writePlan, type CheckedPlan, type PlanOutcome } from "../../plan/index.js";
import { missionBudgetUsed, updateControls } from "../../reconcile/index.js";
import { requireTodo, validRepoConfig } from "../repo.js";
import { chooseModels } from "../model-choice.js";
import { checkServerUrl } from "./loop-cli.js";
import { readGoal } from "../plan-goal.js";

interface PlanArgs {
  dir: string;
  goal?: string;
  from?: string;
  under?: string;
  dryRun: boolean;
  hold: boolean;
  json: boolean;
  server?: string;
  /** --runtime: which OpenCode, over config `runtime`. */
  runtime?: RuntimeChoice;
}

/** TODO.md's text, read as every command reads it; OrchError (exit 2) when it cannot be. */
function readTodoText(root: string, config: Config): string {
  const r = readUserFileSync(realpathSync.native(root), config.todo, LIMITS.todoBytes);
  if ("text" in r) return r.text;
  if ("missing" in r) throw new OrchError("no-todo", `no ${config.todo} in ${root}`, { exitCode: 2, hint: "Run `orch init` there to create one." });
  throw new OrchError(r.problem.code, formatProblem(r.problem), { exitCode: 2 });
}

/** Where the lines go; a heading that is not there is an error now, before any token is spent. */
function placementOf(todoText: string, config: Config, under: string | undefined): LinePlacement {
  if (under === undefined) return { end: true };
  const h = findHeading(parseTodo(todoText, config.todo), under);
  if ("error" in h) throw new OrchError("no-heading", `--under: ${h.error}`, { exitCode: 2, hint: h.hint });
  return { under };
}

/** The error of a plan that failed: invalid answers (exit 1), an unreachable server (4), another session failure (1). */
function planFailure(out: Extract<PlanOutcome, { ok: false }>): OrchError {
  const shown = out.errors.slice(0, 10).map((e) => `    ${e}`);
  if (out.errors.length > 10) shown.push(`    … and ${out.errors.length - 10} more`);
  if (out.error.code === "invalid-plan")
    return new OrchError("invalid-plan", `${out.error.message}; nothing was written. The last answer's problems:\n${shown.join("\n")}`, {
      exitCode: 1,
      hint: "Make the goal smaller or more precise and run again, or raise plan.maxRetries (or plan.maxTasks) in .orchestrator/config.json.",
    });
  return new OrchError(out.error.code, `the planner session failed: ${out.error.message}; nothing was written`, {
    exitCode: out.error.unreachable ? 4 : 1,
    hint: out.error.unreachable ? "Start the server or fix --server (or server.url); `orch doctor` checks the setup." : "Run again; `orch doctor` checks the model and server.",
  });
}

/** The summary a person reads: what was added, where, and what planning cost. */
function summary(plan: CheckedPlan, out: PlanOutcome, placement: LinePlacement, todoFile: string, held: boolean, dryRun: boolean): string {
  const where = "under" in placement ? ` under "${placement.under}"` : "";
  const head = `${dryRun ? "Would add" : "Added"} ${plan.tasks.length} task${plan.tasks.length === 1 ? "" : "s"} to ${todoFile}${where}${held ? ", held" : ""}:`;
  const width = Math.max(...plan.tasks.map((t) => t.id.length));
  const rows = plan.tasks.map((t, i) => `  ${t.id.padEnd(width)}  ${t.title}${t.deps.length ? ` (after ${t.deps.join(", ")})` : ""}  → ${plan.rendered.files[i]!.path}`);
  const spend = `planner: ${formatSpend({ tokens: out.usage.input + out.usage.output + out.usage.reasoning, costUsd: out.costUsd })}${out.invalid ? ` (${out.invalid} answer${out.invalid > 1 ? "s" : ""} sent back)` : ""}`;
  const next = dryRun ? "Nothing was written (--dry-run)." : held ? `They wait until \`orch resume ${plan.tasks.map((t) => t.id).join(" ")}\`.` : "`orch watch` (or `orch run`) starts them.";
  return [head, ...rows, spend, next].join("\n") + "\n";
}

/** The --json answer. */
function jsonOf(plan: CheckedPlan, out: PlanOutcome, placement: LinePlacement, todoFile: string, held: boolean, dryRun: boolean, diff?: string) {
  return {
    ok: true,
    dryRun,
    held,
    todoFile,
    placement,
    ...(plan.summary ? { summary: plan.summary } : {}),
    tasks: plan.tasks.map((t, i) => ({ id: t.id, name: t.name, title: t.title, ...(t.type ? { type: t.type } : {}), deps: t.deps, files: t.files, verify: t.verify, file: plan.rendered.files[i]!.path })),
    warnings: plan.warnings,
    spend: { tokens: out.usage.input + out.usage.output + out.usage.reasoning, costUsd: out.costUsd },
    session: out.sessionId,
    invalidAnswers: out.invalid,
    ...(diff !== undefined ? { diff } : {}),
  };
}

/** Writes the plan; with `hold`, its tasks are suspended first (as `orch suspend` does), so that nothing starts them before a person resumes them. */
async function write(store: Store, plan: CheckedPlan, config: Config, placement: LinePlacement, hold: boolean): Promise<CheckedPlan> {
  // --hold suspends the ids the plan gets as it is written, before its lines go in.
  const claim = async (ids: string[]) => {
    await updateControls(store.records, (c) => ({ ...c, suspended: [...new Set([...c.suspended, ...ids])] }));
    return () => updateControls(store.records, (c) => ({ ...c, suspended: c.suspended.filter((x) => !ids.includes(x)) })).then(() => undefined);
  };
  return (await writePlan(store, plan, { todoFile: config.todo, tasksDir: config.tasksDir, placement, idPrefix: config.idPrefix }, undefined, hold ? claim : undefined)).plan;
}

/** A mission whose budget is used up gets no planner session (its spend counts, docs/PLAN.md): exit 5, as orch run. */
async function refuseOverBudget(store: Store, config: Config): Promise<void> {
  const states = await new TaskStates(store).readAll(() => undefined);
  const used = missionBudgetUsed(config.missionBudget, states.values(), await store.journal.read());
  if (!used) return;
  await store.close();
  throw new OrchError("mission-budget", `orch plan: the mission budget is used up (${used}); no planner session was started`, {
    exitCode: 5,
    hint: "Raise missionBudget in .orchestrator/config.json (the planner's sessions count toward it, as every task's do), then plan again.",
  });
}

/** Runs the command; `failed.errors` gets the planner's last answer's problems when it gave no valid plan. */
async function run(args: PlanArgs, failed: { errors: string[] }): Promise<void> {
  const goal = readGoal(args.goal, args.from);
  if (args.server !== undefined) checkServerUrl(args.server);
  const repo = await validRepoConfig(args.dir);
  const { root } = repo;
  requireTodo(root, repo.config);
  const todoText = readTodoText(root, repo.config);
  const placement = placementOf(todoText, repo.config, args.under);
  // Before anything is written or spent: no model is exit 2 with nothing changed.
  const chosen = chooseModels(repo.config, root, { serverUrl: args.server });
  const { startDemoModel } = chosen;
  const config = args.runtime ? { ...chosen.config, runtime: args.runtime } : chosen.config;
  const external = (args.server ?? config.server.url) !== undefined;
  // The planner only reads: its server may write nothing of the repository (only its own home).
  const { plan: confine } = decideConfinement(config.sandbox, { writable: [], readOnly: [path.resolve(root)] }, { external });
  const mission = await loadMission(root, config);
  const store = openStore(root);
  await refuseOverBudget(store, config);
  // A server of its own (not run/watch's, which may be running: a server's state folder is one server's).
  const runtime = createRuntime(config, root, {
    approvals: new ApprovalFiles(root),
    stateDir: path.join(root, ".orchestrator", "runtime", "planner"),
    ...(args.server ? { serverUrl: args.server } : {}),
    ...(startDemoModel ? { startDemoModel } : {}),
    ...(confine && !external ? { confine } : {}),
  });
  try {
    const check = await repoPlanContext(store, config, mission, todoText, placement);
    const context = await planContext(root, mission, goal, { tokenBudget: config.context.tokenBudget, pool: config.context.nativePool }).catch((err: unknown) => {
      process.stderr.write(`orch: warning: the planner gets no context pack (${err instanceof Error ? err.message : String(err)}); it reads the repository itself\n`);
      return undefined;
    });
    if (!args.json) process.stderr.write("Planning…\n");
    const model = routeModel(config, undefined, "planner");
    const out = await requestPlan(runtime, { goal, directory: root, ...(model ? { model } : {}), ...(context ? { context } : {}), check, maxRetries: config.plan.maxRetries });
    const at = new Date().toISOString();
    if (!out.ok) {
      await store.journal.append([planEvent(out, at, { goal, written: [] })]);
      failed.errors = out.errors;
      throw planFailure(out);
    }
    const plan = out.plan;
    for (const w of plan.warnings) process.stderr.write(`orch: warning: ${w}\n`);
    if (args.dryRun) {
      await store.journal.append([planEvent(out, at, { goal, written: [], dryRun: true })]);
      const diff = planDiff(todoText, plan.rendered, config.todo);
      process.stdout.write(args.json ? `${JSON.stringify(jsonOf(plan, out, placement, config.todo, args.hold, true, diff), null, 2)}\n` : diff);
      if (!args.json) process.stderr.write(summary(plan, out, placement, config.todo, args.hold, true));
      return;
    }
    // The planner's spend is recorded whatever the write's outcome (a plan-conflict included).
    let written: CheckedPlan | undefined;
    try {
      written = await write(store, plan, config, placement, args.hold);
    } finally {
      await store.journal.append([planEvent(out, new Date().toISOString(), { goal, written: written?.tasks.map((t) => t.id) ?? [], ...(args.hold ? { held: true } : {}) })]);
    }
    process.stdout.write(args.json ? `${JSON.stringify(jsonOf(written, out, placement, config.todo, args.hold, false), null, 2)}\n` : summary(written, out, placement, config.todo, args.hold, false));
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** yargs command module for `orch plan`. */
export const planCommand: CommandModule<object, PlanArgs> = {
  command: "plan [goal]",
  describe: "Turn a goal into small tasks: a planner session writes TODO.md lines and task files",
  builder: (y) =>
    y
      .positional("goal", { type: "string", describe: 'What to build, e.g. "Add discount coupons to checkout"' })
      .option("from", { type: "string", describe: "Read the goal from a file (markdown or text, at most 64 KiB)" })
      .option("under", { type: "string", describe: 'Add the lines at the end of this heading\'s own lines, e.g. "## Core" (default: the end of TODO.md)' })
      .option("dry-run", { type: "boolean", default: false, describe: "Print what would be written, as a diff; write nothing" })
      .option("hold", { type: "boolean", default: false, describe: "Write the tasks suspended: nothing starts them until `orch resume <ids>`" })
      .option("json", { type: "boolean", default: false, describe: "Print the result (or the failure) as JSON" })
      .option("server", { type: "string", describe: "URL of a running `opencode serve` (default: config server.url, else orch starts one)" })
      .option("runtime", { type: "string", choices: ["auto", "opencode1", "opencode2"] as const, describe: "Which OpenCode to start or expect (default: config runtime, auto)" }) as any,
  handler: async (args) => {
    const failed = { errors: [] as string[] };
    try {
      await run(args, failed);
    } catch (err) {
      // A --json reader (e.g. an editor plugin) gets the failure on stdout too; stderr and the exit code say it as always.
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: false, error: failureOf(err), errors: failed.errors }, null, 2)}\n`);
      throw err;
    }
  },
};
