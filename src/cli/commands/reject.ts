// `orch reject <task>`: rejects the permission request a task is waiting on.
import { decisionCommand } from "./approve.js";

/** yargs command module for `orch reject`. */
export const rejectCommand = decisionCommand("reject");
