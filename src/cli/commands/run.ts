// `orch run`: reconcile until every reachable task is done, failed or blocked; exit 0 iff all are done.
import type { CommandModule } from "yargs";
import { loopOptions, runLoopCommand, type LoopArgs } from "./loop-cli.js";

/** yargs command module for `orch run`. */
export const runCommand: CommandModule<object, LoopArgs & { exitCode?: number }> = {
  command: "run",
  describe: "Run the tasks of TODO.md until nothing more can progress; exit 0 when all are done (for CI)",
  builder: (y) => loopOptions(y) as any,
  handler: async (args) => {
    args.exitCode = await runLoopCommand("run", args);
  },
};
