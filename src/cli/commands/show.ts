// `orch show <id>`: one task to review: what it changed, its verify commands and their output, the
// reviewer's verdict, each session with the command to open it in OpenCode, and what each role cost.
import type { CommandModule } from "yargs";
import { taskById } from "../repo.js";
import { formatRoles, formatSpend } from "../../store/index.js";
import { readRepo } from "./validate.js";
import { taskReport, type TaskReport } from "../task-report.js";

interface ShowArgs {
  dir: string;
  id: string;
  json: boolean;
}

/** The report as text, in the order a reviewer reads it. */
function formatReport(r: TaskReport): string {
  const out: string[] = [];
  const state = r.phase ?? (r.checked ? "done (no record)" : "not run yet");
  out.push(`${r.id}  ${r.title}`, `state: ${state}${r.attempts ? `, attempt ${r.attempts}` : ""}${r.checked ? ", checked in TODO.md" : ""}`);
  if (r.damagedRecord) out.push(`(${r.damagedRecord} is damaged: shown from the history)`);
  if (r.lastError) out.push(`last error: ${r.lastError.code}: ${r.lastError.message}`);
  out.push(`spent: ${formatSpend(r.spend)}${r.spend.tokens || r.spend.costUsd ? ` (${formatRoles(r.spend)})` : ""}`);

  out.push("", "## Sessions");
  if (r.sessions.length === 0) out.push("none yet");
  for (const s of r.sessions) {
    const figures = s.tokens !== undefined || s.costUsd !== undefined ? `  ${formatSpend({ tokens: s.tokens ?? 0, costUsd: s.costUsd ?? 0 })}` : "";
    out.push(`${s.role.padEnd(8)} attempt ${s.attempt}  ${s.id}  ${s.outcome ?? (s.endedAt ? "ended" : "running")}${figures}`);
    if (s.said) out.push(`  said: ${s.said}`);
    out.push(`  open: ${s.open}`);
  }

  out.push("", "## Verify");
  if (!r.verify) out.push("not run yet");
  else {
    out.push(`${r.verify.ok ? "passed" : "failed"} at ${r.verify.at}`);
    for (const c of r.verify.commands) {
      out.push(`$ ${c.command}  → ${c.timedOut ? "timed out" : `exit ${c.exitCode}`} (${c.durationMs} ms)`);
      const tail = c.output.trimEnd().split("\n").slice(-20);
      if (tail.join("").trim()) out.push(...tail.map((l) => `  ${l}`));
    }
  }

  out.push("", "## Review");
  if (!r.review) out.push("no verdict yet");
  else {
    out.push(`${r.review.approved ? "approved" : "rejected"}: ${r.review.summary}`);
    for (const f of r.review.findings) out.push(`- ${f}`);
  }

  out.push("", "## Diff");
  if (r.diff.commits.length === 0) out.push("note" in r.diff ? r.diff.note : "");
  for (const c of r.diff.commits) out.push(`commit ${c.subject}`, c.patch, "");
  return `${out.join("\n").trimEnd()}\n`;
}

/** yargs command module for `orch show`. */
export const showCommand: CommandModule<object, ShowArgs> = {
  command: "show <id>",
  describe: "Show one task for review: its diff, verify output, the reviewer's verdict, sessions and cost",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "A task id, e.g. T3" })
      .option("json", { type: "boolean", default: false, describe: "Print the report as JSON" }) as any,
  handler: async (args) => {
    const { mission, config } = await readRepo(args.dir);
    const t = taskById(mission, args.id);
    const report = await taskReport(mission.root, config, t);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  },
};
