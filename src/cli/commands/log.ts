// `orch log [task]`: the mission history (or one task's), from .orchestrator/history/*.jsonl.
import type { CommandModule } from "yargs";
import { OrchError, formatProblem } from "../../util/index.js";
import { FileJournal, DEFAULT_LOCK_OPTIONS, StorePaths, formatRoles, spendOf } from "../../store/index.js";
import { loadMission } from "../../spec/index.js";
import { checkTaskIds, repoConfig } from "../repo.js";
import type { HistoryEvent } from "../../store/index.js";

interface LogArgs {
  dir: string;
  task?: string;
  json: boolean;
}

/** One readable line per event: time, task, attempt, kind, transition, then whatever figures it has. */
function formatEvent(e: HistoryEvent): string {
  const parts = [e.at.replace("T", " ").replace(/\.\d+Z$|Z$/, ""), e.task.padEnd(6), e.attempt !== undefined ? `#${e.attempt}` : "  ", e.kind];
  // A phase line's reason says which rung of the ladder (Fixing, Searching, Split, AskedPerson, Answered) it was.
  if (e.from !== undefined || e.to !== undefined) parts.push(`${e.from ?? "∅"} → ${e.to ?? "∅"}${typeof e.detail?.reason === "string" ? ` (${e.detail.reason})` : ""}`);
  if (e.session) parts.push(`${e.role ?? "session"} ${e.session}`);
  else if (e.role) parts.push(e.role);
  if (e.tokens !== undefined) parts.push(`${e.tokens.toLocaleString("en-US")} tok`);
  if (e.costUsd !== undefined) parts.push(`$${e.costUsd.toFixed(4)}`);
  if (e.verdict) parts.push(`verdict: ${e.verdict}`);
  if (e.error) parts.push(`error: ${e.error}`);
  // The ladder's lines say what came of the rung: the subtasks of a split, where a question or its answer is.
  if (e.kind === "split" && Array.isArray(e.detail?.into)) parts.push(`into ${(e.detail.into as string[]).join(", ")}`);
  if ((e.kind === "asked" || e.kind === "answered") && typeof e.detail?.file === "string") parts.push(e.detail.file);
  return parts.join("  ");
}

/** The whole listing: events oldest first, then a one-line total (every role's spend, store/spend.ts). */
function formatHistory(events: HistoryEvent[], task?: string): string {
  if (events.length === 0) return task ? `No history for ${task} yet.\n` : "No history yet.\n";
  const tasks = new Set(events.map((e) => e.task));
  const spend = spendOf(events);
  const roles = formatRoles(spend);
  const total = `${events.length} event${events.length === 1 ? "" : "s"}, ${tasks.size} task${tasks.size === 1 ? "" : "s"}, ${spend.tokens.toLocaleString("en-US")} tokens, $${spend.costUsd.toFixed(4)}${roles ? ` (${roles})` : ""}`;
  return `${events.map(formatEvent).join("\n")}\n— ${total}\n`;
}

/** yargs command module for `orch log`. */
export const logCommand: CommandModule<object, LogArgs> = {
  command: "log [task]",
  describe: "Print the history of the mission, or of one task",
  builder: (y) =>
    y
      .positional("task", { type: "string", describe: "A task id, e.g. T3" })
      .option("json", { type: "boolean", default: false, describe: "Print the events as a JSON array" }) as any,
  handler: async (args) => {
    if (args.task && !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(args.task)) {
      throw new OrchError("usage", `invalid task id ${JSON.stringify(args.task)}`, { exitCode: 2, hint: "Task ids look like T3." });
    }
    // Read-only: the journal is read directly, so no .orchestrator/ is created where there is none.
    const { root, config } = await repoConfig(args.dir);
    const journal = new FileJournal(new StorePaths(root), DEFAULT_LOCK_OPTIONS);
    const { events, problems } = await journal.readDetailed(args.task);
    // A task no longer in TODO.md (deleted, cancelled) keeps its history: it is known by that.
    if (args.task && events.length === 0) checkTaskIds(await loadMission(root, config), [args.task]);
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.stdout.write(args.json ? `${JSON.stringify(events, null, 2)}\n` : formatHistory(events, args.task));
  },
};
