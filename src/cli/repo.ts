// The repository a command works on: `--dir` resolved and checked, and its config loaded. Every
// command starts here, so a wrong `--dir` or a broken config reads the same everywhere.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../spec/config.js";
import { loadConfig } from "../spec/load.js";
import { OrchError, formatProblem, type Problem } from "../util/errors.js";

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
