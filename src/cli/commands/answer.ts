// `orch answer <task> "…"`: answers the question a task waits on (.orchestrator/inbox/<task>.md), as
// writing under the file's marked line would. The loop reads the answer on its next pass (a running
// `orch watch` sees the file change) and starts the task's next attempt with it, on a fresh budget.
import path from "node:path";
import type { CommandModule } from "yargs";
import { loadMission } from "../../spec/index.js";
import { withAnswer } from "../../reconcile/index.js";
import { TaskStates, openStore } from "../../store/index.js";
import { OrchError, formatProblem } from "../../util/index.js";
import { checkTaskIds, validRepoConfig } from "../repo.js";

interface AnswerArgs {
  dir: string;
  task: string;
  text: string;
}

/** yargs command module for `orch answer`. */
export const answerCommand: CommandModule<object, AnswerArgs> = {
  command: "answer <task> <text>",
  describe: "Answer the question a task waits on (.orchestrator/inbox/<task>.md); its next attempt starts with the answer",
  builder: (y) =>
    y
      .positional("task", { type: "string", demandOption: true, describe: "A task id, e.g. T3" })
      .positional("text", { type: "string", demandOption: true, describe: "Your answer (quote it)" }) as any,
  handler: async (args) => {
    const text = String(args.text ?? "").trim();
    if (!text) throw new OrchError("usage", "the answer is empty", { exitCode: 2, hint: `e.g. \`orch answer ${args.task} "use the metric system"\`.` });
    const { root, config } = await validRepoConfig(args.dir);
    checkTaskIds(await loadMission(root, config), [args.task]);
    const store = openStore(root);
    try {
      const s = await new TaskStates(store).read(args.task);
      if (s?.recovered) process.stderr.write(`${formatProblem(s.recovered.problem)}\n`);
      const phase = s?.value.phase;
      if (phase !== "WaitingForPerson")
        throw new OrchError("not-waiting", `${args.task} is not waiting for a person (${phase ? `it is ${phase}` : "it has not run yet"})`, { exitCode: 2, hint: "`orch status` shows the tasks that wait for a person; a task asks once its ladder's last rung is reached." });
      const rel = path.relative(root, store.inbox.path(args.task));
      const read = store.inbox.readChecked(args.task);
      // A file orch cannot read as text is the person's to fix: never written over.
      if ("problem" in read) throw new OrchError("bad-inbox", formatProblem(read.problem), { exitCode: 2, hint: `Fix or remove ${rel}, then answer again.` });
      await store.inbox.edit(args.task, (cur) => withAnswer(cur, text));
      process.stdout.write(`${args.task}: answered (${rel}); a running \`orch watch\` starts its next attempt with your answer now, else the next \`orch run\`\n`);
    } finally {
      await store.close();
    }
  },
};
