// How `orch run` / `orch watch` end: the reconciler's outcome value → an exit code (and, for a run
// that cannot reach its backend, the error that explains it). Exit codes are decided here only.
import type { DriveOutcome } from "../reconcile/index.js";
import { OrchError } from "../util/index.js";

/** Exit codes of run/watch: 0 all done or a clean stop, 1 not all done, 3 lease lost, 2 invalid files (nothing started or redone from them), 4 backend unreachable, 5 mission budget used up. */
function exitCodeOf(outcome: DriveOutcome): number {
  switch (outcome.kind) {
    case "all-done":
    case "stopped":
      return 0;
    case "not-done":
      return 1;
    case "invalid":
      return 2;
    case "lease-lost":
      return 3;
    case "server-unreachable":
      return 4;
    case "mission-budget":
      return 5;
  }
}

/** The exit code of an outcome; throws the OrchError (exit 4) that says why a run could not go on. */
export function finishWith(outcome: DriveOutcome): number {
  if (outcome.kind === "server-unreachable") {
    throw new OrchError("server-unreachable", `orch run stopped: ${outcome.reason}`, {
      exitCode: exitCodeOf(outcome),
      hint:
        outcome.what === "provider"
          ? "An attempt whose model provider could not be reached was not charged. Start the model server or fix the provider's baseURL (.orchestrator/opencode.json); `orch doctor` checks each configured model. Then run again."
          : "An attempt none of whose sessions could start was not charged. Start the server or fix --server (or server.url in .orchestrator/config.json); `orch doctor` checks an owned one. Then run again.",
    });
  }
  if (outcome.kind === "invalid") {
    const [first, ...more] = outcome.problems;
    throw new OrchError("invalid", `orch run stopped: ${first}${more.length ? ` (and ${more.length} more error${more.length > 1 ? "s" : ""})` : ""}`, {
      exitCode: exitCodeOf(outcome),
      hint: "Nothing was started or redone from files with errors. Fix them (`orch validate` lists them all, with hints), then run again.",
    });
  }
  if (outcome.kind === "mission-budget") {
    throw new OrchError("mission-budget", `orch run stopped: the mission budget is used up (${outcome.reason})`, {
      exitCode: exitCodeOf(outcome),
      hint: "No attempt starts once the mission budget is reached; running ones were aborted and left Pending. Raise missionBudget in .orchestrator/config.json, then run again.",
    });
  }
  return exitCodeOf(outcome);
}
