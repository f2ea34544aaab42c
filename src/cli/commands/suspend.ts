// `orch suspend <id…>` / `orch suspend --all`: orch leaves the tasks alone (a running session is stopped).
import type { CommandModule } from "yargs";
import { updateControls } from "../../reconcile/index.js";
import { checkIdsOrAll, idsOrAll, openForControl } from "./control-cli.js";

interface Args {
  dir: string;
  ids?: string[];
  all: boolean;
}

/** yargs command module for `orch suspend`. */
export const suspendCommand: CommandModule<object, Args> = {
  command: "suspend [ids..]",
  describe: "Suspend tasks (or --all: the whole mission); a running session is stopped, nothing new starts",
  builder: (y) => idsOrAll(y) as any,
  handler: async (args) => {
    const ids = args.ids ?? [];
    checkIdsOrAll(ids, args.all);
    const { store } = await openForControl(args.dir, ids);
    await updateControls(store.records, (c) => (args.all ? { ...c, missionSuspended: true } : { ...c, suspended: [...new Set([...c.suspended, ...ids])] }));
    const at = new Date().toISOString();
    await store.journal.append((args.all ? ["mission"] : ids).map((task) => ({ at, task, kind: "suspend-requested" })));
    process.stdout.write(`suspended ${args.all ? "the whole mission" : ids.join(", ")}; \`orch resume\` undoes it\n`);
  },
};
