// `orch resume <id…>` / `orch resume --all`: undo `orch suspend` (front matter `suspend: true` stays in force).
import type { CommandModule } from "yargs";
import { updateControls } from "../../reconcile/index.js";
import { checkIdsOrAll, idsOrAll, openForControl } from "./control-cli.js";

interface Args {
  dir: string;
  ids?: string[];
  all: boolean;
}

/** yargs command module for `orch resume`. */
export const resumeCommand: CommandModule<object, Args> = {
  command: "resume [ids..]",
  describe: "Resume suspended tasks (or --all: the whole mission)",
  builder: (y) => idsOrAll(y) as any,
  handler: async (args) => {
    const ids = args.ids ?? [];
    checkIdsOrAll(ids, args.all);
    const { store } = await openForControl(args.dir, ids);
    await updateControls(store.records, (c) => (args.all ? { ...c, missionSuspended: false } : { ...c, suspended: c.suspended.filter((x) => !ids.includes(x)) }));
    const at = new Date().toISOString();
    await store.journal.append((args.all ? ["mission"] : ids).map((task) => ({ at, task, kind: "resume-requested" })));
    process.stdout.write(`resumed ${args.all ? "the whole mission" : ids.join(", ")} (a task file with \`suspend: true\` stays suspended)\n`);
  },
};
