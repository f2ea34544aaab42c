// `orch watch`: reconcile continuously until SIGINT/SIGTERM.
import type { CommandModule } from "yargs";
import { loopOptions, runLoopCommand, type LoopArgs } from "./loop-cli.js";

/** yargs command module for `orch watch`. */
export const watchCommand: CommandModule<object, LoopArgs & { exitCode?: number }> = {
  command: "watch",
  describe: "Keep the repository in line with TODO.md: run tasks as they become ready, until stopped",
  builder: (y) =>
    loopOptions(y).option("ui", {
      type: "string",
      describe: "Also serve a live board of the mission in the browser at host:port (default 127.0.0.1 and a free port; another address needs the printed token)",
    }) as any,
  handler: async (args) => {
    args.exitCode = await runLoopCommand("watch", args);
  },
};
