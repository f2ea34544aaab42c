// `orch status`: one row per task (id, title, state, deps, blocked by); --json for data.
import type { CommandModule } from "yargs";
import { formatProblem } from "../../util/errors.js";
import { readOnlyTaskStates } from "../../store/task-states.js";
import { statusRows, formatStatusTable } from "../../graph/status.js";
import type { Outcome } from "../../graph/task-graph.js";
import { readRepo, relativeToCwd } from "./validate.js";
import { widthOf } from "../view.js";

interface StatusArgs {
  dir: string;
  json: boolean;
}

/**
 * Phase and generation per task, through the task-state repository (which judges a damaged record
 * by the store's rules); an absent record is skipped, a damaged one (status shows the files' view for
 * it, and repairs nothing) is listed in `damaged`, repo-relative.
 */
async function readRecords(root: string, ids: readonly string[]): Promise<{ records: Map<string, Outcome>; damaged: string[] }> {
  const states = readOnlyTaskStates(root);
  const records = new Map<string, Outcome>();
  const damaged: string[] = [];
  for (const id of ids) {
    const found = await states.inspect(id);
    if (found && "state" in found) records.set(id, { phase: found.state.phase, generation: found.state.generation });
    else if (found) damaged.push(found.damaged);
  }
  return { records, damaged: damaged.sort() };
}

/** yargs command module for `orch status`. */
export const statusCommand: CommandModule<object, StatusArgs> = {
  command: "status",
  describe: "Show each task's state, deps and what blocks it",
  builder: (y) => y.option("json", { type: "boolean", default: false, describe: "Print the rows as JSON" }) as any,
  handler: async (args) => {
    const { mission, problems } = await readRepo(args.dir);
    const { records, damaged } = await readRecords(mission.root, mission.tasks.map((t) => t.id));
    const rows = statusRows(mission, records);
    const errors = problems.filter((p) => p.severity === "error");
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ok: errors.length === 0, tasks: rows, problems: problems.map((p) => relativeToCwd(p, mission.root)), damagedRecords: damaged }, null, 2)}\n`);
    } else {
      process.stdout.write(rows.length ? formatStatusTable(rows, widthOf()) : "No tasks.\n");
      for (const f of damaged) process.stderr.write(`orch: ${f} is damaged; its task is shown from the files. The next \`orch run\` or \`orch watch\` moves it aside and rebuilds it from the history.\n`);
      for (const p of errors) process.stderr.write(`${formatProblem(relativeToCwd(p, mission.root))}\n`);
      if (errors.length) process.stderr.write(`${errors.length} error(s): run \`orch validate\` for details.\n`);
    }
    (args as unknown as { exitCode: number }).exitCode = errors.length ? 1 : 0;
  },
};

export default statusCommand;
