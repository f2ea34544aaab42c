// `orch retry <id>`: a manual trigger: the task starts over with a fresh attempt budget, noted in history.
import type { CommandModule } from "yargs";
import { updateControls } from "../../reconcile/controls.js";
import { TaskStates } from "../../store/task-states.js";
import { OrchError, formatProblem } from "../../util/errors.js";
import { openForControl, requestStamp } from "./control-cli.js";

interface Args {
  dir: string;
  id: string;
}

/** yargs command module for `orch retry`. */
export const retryCommand: CommandModule<object, Args> = {
  command: "retry <id>",
  describe: "Run a task again now (after a failure, or to redo it), with a fresh attempt budget",
  builder: (y) => y.positional("id", { type: "string", demandOption: true, describe: "A task id, e.g. T3" }) as any,
  handler: async (args) => {
    const { store } = await openForControl(args.dir, [args.id]);
    // Through the repository: a damaged record is repaired here as the loop would, not thrown.
    const r = await new TaskStates(store).read(args.id);
    if (r?.recovered) process.stderr.write(`${formatProblem(r.recovered.problem)}\n`);
    const s = r?.value;
    if (!s) throw new OrchError("not-run", `task ${args.id} has not run yet`, { exitCode: 2, hint: "`orch watch` or `orch run` starts it when its deps are done." });
    const stamp = requestStamp();
    await updateControls(store.records, (c) => ({ ...c, retry: { ...c.retry, [args.id]: stamp } }));
    await store.journal.append([{ at: new Date().toISOString(), task: args.id, kind: "retry-requested", from: s.phase, detail: { request: stamp } }]);
    process.stdout.write(`retry of ${args.id} requested (was ${s.phase}); a running \`orch watch\` picks it up now, else the next \`orch run\`\n`);
  },
};

export default retryCommand;
