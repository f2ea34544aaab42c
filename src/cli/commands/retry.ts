// `orch retry <id…>` / `orch retry --failed`: a manual trigger: each task starts over with a fresh
// attempt budget, noted in history. A done task is redone (the loop unchecks its box first).
import type { CommandModule } from "yargs";
import { updateControls } from "../../reconcile/index.js";
import { TaskStates } from "../../store/index.js";
import { OrchError, formatProblem } from "../../util/index.js";
import { openForControl, requestStamp } from "./control-cli.js";

interface Args {
  dir: string;
  ids?: string[];
  failed: boolean;
}

/** yargs command module for `orch retry`. */
export const retryCommand: CommandModule<object, Args> = {
  command: "retry [ids..]",
  describe: "Run tasks again now (after a failure, or to redo a done one), with a fresh attempt budget",
  builder: (y) =>
    y
      .positional("ids", { type: "string", array: true, describe: "Task ids, e.g. T3 T4" })
      .option("failed", { type: "boolean", default: false, describe: "Every task that has Failed" }) as any,
  handler: async (args) => {
    const named = args.ids ?? [];
    if (!args.failed && named.length === 0) throw new OrchError("usage", "name task ids, or pass --failed for every failed task", { exitCode: 2, hint: "e.g. `orch retry T3` or `orch retry --failed`." });
    if (args.failed && named.length > 0) throw new OrchError("usage", "pass either task ids or --failed, not both", { exitCode: 2 });
    const { store, mission } = await openForControl(args.dir, named);
    try {
      const states = new TaskStates(store);
      // Read through the repository: a damaged record is repaired here as the loop would, not thrown.
      const phases = new Map<string, string>();
      for (const t of mission.tasks) {
        if (!args.failed && !named.includes(t.id)) continue;
        const r = await states.read(t.id, t.generation);
        if (r?.recovered) process.stderr.write(`${formatProblem(r.recovered.problem)}\n`);
        if (r && (!args.failed || r.value.phase === "Failed")) phases.set(t.id, r.value.phase);
      }
      const notRun = named.filter((id) => !phases.has(id));
      if (notRun.length)
        throw new OrchError("not-run", `task ${notRun.join(", ")} has not run yet`, { exitCode: 2, hint: "`orch watch` or `orch run` starts it when its deps are done." });
      if (phases.size === 0) return void process.stdout.write("no task has failed; nothing to retry\n");
      const stamp = requestStamp();
      await updateControls(store.records, (c) => ({ ...c, retry: { ...c.retry, ...Object.fromEntries([...phases.keys()].map((id) => [id, stamp])) } }));
      const at = new Date().toISOString();
      await store.journal.append([...phases].map(([task, from]) => ({ at, task, kind: "retry-requested", from, detail: { request: stamp } })));
      for (const [id, from] of phases) process.stdout.write(`retry of ${id} requested (was ${from}${from === "Succeeded" ? ": it is redone" : ""})\n`);
      process.stdout.write("a running `orch watch` picks it up now, else the next `orch run`\n");
    } finally {
      await store.close();
    }
  },
};
