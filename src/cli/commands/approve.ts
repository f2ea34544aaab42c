// `orch approve <task>`: answers a pending permission request of a task, as editing its
// approval file's `decision:` line would. `orch reject` shares this module.
import path from "node:path";
import type { CommandModule } from "yargs";
import { decide, type Decision } from "../../runtime/index.js";
import { loadMission } from "../../spec/index.js";
import { checkTaskIds, repoConfig } from "../repo.js";
import { ApprovalFiles } from "../../store/index.js";

interface DecisionArgs {
  dir: string;
  task: string;
  json: boolean;
}

/** Builds the command for one decision (approve or reject). */
export function decisionCommand(decision: Decision): CommandModule<object, DecisionArgs> {
  const verb = decision === "approve" ? "approve" : "reject";
  return {
    command: `${verb} <task>`,
    describe: `${decision === "approve" ? "Approve" : "Reject"} the permission request a task is waiting on (.orchestrator/approvals/<task>.md)`,
    builder: (y) =>
      y
        .positional("task", { type: "string", demandOption: true, describe: "A task id, e.g. T3" })
        .option("json", { type: "boolean", default: false, describe: "Print {task, decision, file} as JSON" }) as any,
    handler: async (args) => {
      const { root, config } = await repoConfig(args.dir);
      checkTaskIds(await loadMission(root, config), [args.task]);
      const file = await decide(new ApprovalFiles(root), args.task, decision);
      const rel = path.relative(root, file);
      if (args.json) process.stdout.write(`${JSON.stringify({ task: args.task, decision, file: rel })}\n`);
      else process.stdout.write(`${args.task}: ${decision === "approve" ? "approved" : "rejected"} (${rel}); a running orch answers the agent within a second\n`);
    },
  };
}

/** yargs command module for `orch approve`. */
export const approveCommand = decisionCommand("approve");
