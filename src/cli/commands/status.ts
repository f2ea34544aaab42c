// `orch status`: one row per task (id, title, state, deps, blocked by, what it cost); --json for data.
import type { CommandModule } from "yargs";
import { formatProblem } from "../../util/index.js";
import { readOnlyTaskStates, FileJournal, DEFAULT_LOCK_OPTIONS, StorePaths, formatRoles, formatSpend, spendOf, type MissionSpend } from "../../store/index.js";
import { statusRows, formatStatusTable } from "../../graph/index.js";
import type { Outcome } from "../../graph/index.js";
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

/** Every role's tokens and cost per task and in total, from the history (read-only, as `orch log` reads it). */
async function readSpend(root: string): Promise<MissionSpend> {
  const journal = new FileJournal(new StorePaths(root), DEFAULT_LOCK_OPTIONS);
  return spendOf((await journal.readDetailed()).events);
}

/** TOKENS and COST columns, once anything was spent. */
function spendColumns(spend: MissionSpend) {
  if (!spend.tokens && !spend.costUsd) return undefined;
  return {
    head: ["TOKENS", "COST"],
    cells: (r: { id: string }) => {
      const s = spend.tasks[r.id];
      return s ? [s.tokens.toLocaleString("en-US"), `$${s.costUsd.toFixed(4)}`] : ["-", "-"];
    },
  };
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
    const spend = await readSpend(mission.root);
    const errors = problems.filter((p) => p.severity === "error");
    if (args.json) {
      const tasks = rows.map((r) => ({ ...r, spend: spend.tasks[r.id] ?? { tokens: 0, costUsd: 0, roles: {} } }));
      const total = { tokens: spend.tokens, costUsd: spend.costUsd, roles: spend.roles };
      process.stdout.write(`${JSON.stringify({ ok: errors.length === 0, tasks, spend: total, problems: problems.map((p) => relativeToCwd(p, mission.root)), damagedRecords: damaged }, null, 2)}\n`);
    } else {
      process.stdout.write(rows.length ? formatStatusTable(rows, widthOf(), spendColumns(spend)) : "No tasks.\n");
      if (spend.tokens || spend.costUsd) process.stdout.write(`Spent: ${formatSpend(spend)} (${formatRoles(spend)})\n`);
      // What needs a person: the question each waiting task asks, and how to answer it.
      for (const r of rows.filter((x) => x.phase === "WaitingForPerson"))
        process.stdout.write(`${r.id} waits for a person: read .orchestrator/inbox/${r.id}.md and answer under its last line, or run \`orch answer ${r.id} "…"\`\n`);
      for (const f of damaged) process.stderr.write(`orch: ${f} is damaged; its task is shown from the files. The next \`orch run\` or \`orch watch\` moves it aside and rebuilds it from the history.\n`);
      for (const p of errors) process.stderr.write(`${formatProblem(relativeToCwd(p, mission.root))}\n`);
      if (errors.length) process.stderr.write(`${errors.length} error(s): run \`orch validate\` for details.\n`);
    }
    (args as unknown as { exitCode: number }).exitCode = errors.length ? 1 : 0;
  },
};
