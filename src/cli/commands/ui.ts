// `orch ui [host:port]`: the live board of a mission nobody runs here, read-only: it reads the files
// and watches them (the board `orch watch --ui` serves, without the loop). Runs until SIGINT/SIGTERM.
import type { CommandModule } from "yargs";
import { repoConfig, requireTodo } from "../repo.js";
import { realClock } from "../../util/index.js";
import { openBoard, parseListen } from "../../ui/index.js";
import { taskDetails } from "../task-report.js";

interface UiArgs {
  dir: string;
  address?: string;
}

/** yargs command module for `orch ui`. */
export const uiCommand: CommandModule<object, UiArgs> = {
  command: "ui [address]",
  describe: "Serve a read-only live board of the mission in the browser (for a mission `orch watch --ui` does not already show)",
  builder: (y) => y.positional("address", { type: "string", describe: "host:port to listen on (default 127.0.0.1 and a free port; another address needs the printed token)" }) as any,
  handler: async (args) => {
    const listen = parseListen(args.address);
    const { root, config } = await repoConfig(args.dir);
    requireTodo(root, config, "no mission to show");
    const board = await openBoard({ root, config, listen, live: false, details: (id) => taskDetails(root, id), clock: realClock, now: Date.now });
    process.stdout.write(`The board of ${root} is at ${board.url} (read-only; Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await board.close();
  },
};
