// The repository a command works on: `--dir` resolved and checked, and its config loaded. Every
// command starts here, so a wrong `--dir` or a broken config reads the same everywhere.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../spec/index.js";
import { loadConfig } from "../spec/index.js";
import { OrchError, formatProblem, type Problem } from "../util/index.js";

/** `dir` as an absolute path; OrchError "no-dir" (exit 2) when it is not a folder. */
export async function repoRoot(dir: string): Promise<string> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new OrchError("no-dir", `${dir} is not a directory`, { exitCode: 2, hint: "Pass --dir <repository root>." });
  return path.resolve(dir);
}

/** The root and its config with the problems found in it (a broken config still yields the defaults). */
export async function repoConfig(dir: string): Promise<{ root: string; config: Config; problems: Problem[] }> {
  const root = await repoRoot(dir);
  return { root, ...(await loadConfig(root)) };
}

/** The root and its config; OrchError "bad-config" when the config has errors. */
export async function validRepoConfig(dir: string): Promise<{ root: string; config: Config }> {
  const { root, config, problems } = await repoConfig(dir);
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length) throw new OrchError("bad-config", errors.map(formatProblem).join("\n"), { hint: "Fix .orchestrator/config.json, then run again." });
  return { root, config };
}

/**
 * OrchError "no-todo" (exit 2) when the repository has no task list: a command that would start
 * work (run, watch) says so and creates nothing, rather than a .orchestrator/ in a folder that is
 * not a mission.
 */
export function requireTodo(root: string, config: Config, nothing = "nothing to run"): void {
  if (!existsSync(path.join(root, config.todo)))
    throw new OrchError("no-todo", `no ${config.todo} in ${root}: ${nothing}`, { exitCode: 2, hint: "Run `orch init` there to create one, or pass --dir <the repository root>." });
}

/**
 * OrchError "unknown-task" (exit 2) unless every id is a task of the mission, or one of `alsoKnown`
 * (e.g. a deleted task whose history remains). Every command that takes task ids checks them here.
 */
export function checkTaskIds(mission: { tasks: readonly { id: string }[]; todoFile: string }, ids: readonly string[], alsoKnown: (id: string) => boolean = () => false): void {
  const known = new Set(mission.tasks.map((t) => t.id));
  const unknown = ids.filter((id) => !known.has(id) && !alsoKnown(id));
  if (unknown.length)
    throw new OrchError("unknown-task", `no task ${unknown.join(", ")} in ${mission.todoFile}`, { exitCode: 2, hint: "`orch status` lists the task ids." });
}

/** The task with this id; OrchError "unknown-task" (exit 2) when the mission has none. */
export function taskById<T extends { id: string }>(mission: { tasks: T[]; todoFile: string }, id: string): T {
  checkTaskIds(mission, [id]);
  return mission.tasks.find((t) => t.id === id)!;
}
