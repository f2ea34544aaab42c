// `orch context <task-id>`: prints the context pack a worker would get for the task, and its size.
import type { CommandModule } from "yargs";
import { buildContextPack, openCodeTools } from "../../context/index.js";
import { loadMission } from "../../spec/index.js";
import { taskById, validRepoConfig } from "../repo.js";
import { OrchError, formatProblem } from "../../util/index.js";

interface ContextArgs {
  dir: string;
  task: string;
  json: boolean;
  budget?: number;
  changed?: string[];
  fallback: boolean;
}

/** yargs command module for `orch context`. */
export const contextCommand: CommandModule<object, ContextArgs> = {
  command: "context <task>",
  describe: "Print the context pack an agent gets for a task, with its token count",
  builder: (y) =>
    y
      .positional("task", { type: "string", demandOption: true, describe: "A task id, e.g. T3" })
      .option("json", { type: "boolean", default: false, describe: "Print the pack as JSON (text, tokens, items, wholeFileTokens)" })
      .option("budget", { type: "number", describe: "Token budget (default: config context.tokenBudget)" })
      .option("changed", { type: "string", array: true, describe: "Files the task's deps changed (repo-relative)" })
      .option("fallback", { type: "boolean", default: false, describe: "Use the TypeScript fallback even when orch-native is built" }) as any,
  handler: async (args) => {
    const { root, config } = await validRepoConfig(args.dir);
    const mission = await loadMission(root, config);
    // An id not found may come from a TODO.md with errors: show them first.
    if (!mission.tasks.some((t) => t.id === args.task)) for (const p of mission.problems) process.stderr.write(`${formatProblem(p)}\n`);
    const task = taskById(mission, args.task);
    const budget = args.budget ?? config.context.tokenBudget;
    if (!(budget > 0)) throw new OrchError("usage", "--budget must be a positive number", { exitCode: 2 });
    const tools = await openCodeTools(mission.root, { pool: config.context.nativePool, fallback: args.fallback });
    try {
      const pack = await buildContextPack(task, mission, tools, { tokenBudget: budget, changedFiles: args.changed, measureWholeFiles: true });
      for (const w of pack.warnings) process.stderr.write(`orch: warning: ${w}\n`);
      if (tools.fallbackReason && !args.fallback) process.stderr.write(`orch: using the TypeScript fallback (grep and glob only): ${tools.fallbackReason}\n`);
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ task: task.id, tools: tools.kind, budget, ...pack }, null, 2)}\n`);
        return;
      }
      const whole = pack.wholeFileTokens ?? 0;
      const saved = whole > 0 ? `, ${Math.round((1 - pack.tokens / whole) * 100)}% fewer than the ${whole} of the whole files in scope` : "";
      process.stdout.write(`${pack.text}\n— ${pack.tokens} tokens (budget ${budget}, estimate chars/4, ${tools.kind} tools${saved})\n`);
    } finally {
      await tools.close();
    }
  },
};
