// `orch validate`: reads config, TODO.md and task files; prints each problem as
// `path:line:col: message` + hint; exit 0 when there is no error, 1 otherwise.
import path from "node:path";
import type { CommandModule } from "yargs";
import { formatProblem, type Problem } from "../../util/index.js";
import { loadMission, createSpecCache, sortProblems, type SpecCache, lintMission } from "../../spec/index.js";
import type { Config, Mission } from "../../spec/index.js";
import { repoConfig } from "../repo.js";
import { assignMissingIds } from "../../reconcile/index.js";
import { openStore } from "../../store/index.js";

interface ValidateArgs {
  dir: string;
  json: boolean;
  fix: boolean;
}

/** Loads everything orch reads from `dir`; throws OrchError only when dir itself is unusable. */
export async function readRepo(dir: string, cache?: SpecCache): Promise<{ mission: Mission; problems: Problem[]; config: Config }> {
  const { root, config, problems: configProblems } = await repoConfig(dir);
  const mission = await loadMission(root, config, cache ?? {});
  return { mission, config, problems: [...configProblems, ...mission.problems] };
}

/** readRepo plus validate's own warnings (spec/lint.ts), all in one order (by file, then position). */
async function readAndLint(dir: string): Promise<{ mission: Mission; problems: Problem[]; config: Config }> {
  const cache = createSpecCache();
  const r = await readRepo(dir, cache);
  const problems = [...r.problems, ...(cache.last ? lintMission(r.mission, r.config, cache.last.todo) : [])];
  sortProblems(problems);
  return { ...r, problems };
}

/** Problem paths relative to the current directory, so editors and terminals can jump to them. */
export function relativeToCwd(p: Problem, root: string): Problem {
  const abs = path.resolve(root, p.file);
  return { ...p, file: path.relative(process.cwd(), abs) || p.file };
}

/** yargs command module for `orch validate`. */
export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: "validate",
  describe: "Check TODO.md, the task files and the config; exit 1 on any error (--fix assigns missing ids)",
  builder: (y) =>
    y
      .option("json", { type: "boolean", default: false, describe: "Print the result as JSON" })
      .option("fix", { type: "boolean", default: false, describe: "Write the next free id into each task line that has none" }) as any,
  handler: async (args) => {
    let { mission, problems, config } = await readAndLint(args.dir);
    if (args.fix) {
      const store = openStore(mission.root);
      const assigned = await assignMissingIds(store, mission, config.idPrefix).finally(() => store.close());
      for (const a of assigned) process.stderr.write(`${mission.todoFile}:${a.line}: assigned id ${a.id}\n`);
      if (assigned.length) ({ mission, problems } = await readAndLint(args.dir));
    }
    const shown = problems.map((p) => relativeToCwd(p, mission.root));
    const errors = shown.filter((p) => p.severity === "error").length;
    const warnings = shown.length - errors;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ok: errors === 0, tasks: mission.tasks.length, errors, warnings, problems: shown }, null, 2)}\n`);
    } else {
      for (const p of shown) process.stdout.write(`${formatProblem(p)}\n`);
      const counts = `${mission.tasks.length} task${mission.tasks.length === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
      process.stdout.write(errors ? `✗ ${counts}\n` : `✓ ${counts}\n`);
    }
    (args as unknown as { exitCode: number }).exitCode = errors ? 1 : 0;
  },
};
