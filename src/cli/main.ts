#!/usr/bin/env node
// orch's entry: yargs parses, each command lives in cli/commands/, one catch maps errors to exit codes.
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OrchError, failureOf, mappedStack, packageVersion } from "../util/index.js";
import { widthOf } from "./view.js";
// Commands register here, one import each (keep alphabetical).
// @commands-begin
import { answerCommand } from "./commands/answer.js";
import { approveCommand } from "./commands/approve.js";
import { rejectCommand } from "./commands/reject.js";
import { contextCommand } from "./commands/context.js";
import { doctorCommand } from "./commands/doctor.js";
import { logCommand } from "./commands/log.js";
import { planCommand } from "./commands/plan.js";
import { initCommand } from "./commands/init.js";
import { showCommand } from "./commands/show.js";
import { statusCommand } from "./commands/status.js";
import { validateCommand } from "./commands/validate.js";
import { resumeCommand } from "./commands/resume.js";
import { retryCommand } from "./commands/retry.js";
import { runCommand } from "./commands/run.js";
import { suspendCommand } from "./commands/suspend.js";
import { uiCommand } from "./commands/ui.js";
import { watchCommand } from "./commands/watch.js";
// @commands-end

const commands: CommandModule<any, any>[] = [
  // @command-list
  watchCommand,
  runCommand,
  planCommand,
  suspendCommand,
  resumeCommand,
  retryCommand,
  approveCommand,
  rejectCommand,
  answerCommand,
  initCommand,
  statusCommand,
  showCommand,
  validateCommand,
  contextCommand,
  doctorCommand,
  logCommand,
  uiCommand,
];

/** Runs the CLI with argv; resolves to the exit code. Exported for in-process tests. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  try {
    const cli = yargs(argv)
      .scriptName("orch")
      .option("dir", { type: "string", default: ".", describe: "Repository root", global: true })
      .strict()
      .demandCommand(1, "Name a command; `orch --help` lists them.")
      .recommendCommands()
      .help()
      .alias("h", "help")
      .version(packageVersion())
      .wrap(Math.min(100, widthOf()))
      .fail((msg, err) => {
        throw err ?? new OrchError("usage", msg, { exitCode: 2, hint: "Run with --help for usage." });
      });
    for (const c of commands) cli.command(c);
    const args = await cli.parseAsync();
    if (typeof args.exitCode === "number") exitCode = args.exitCode;
  } catch (err) {
    exitCode = reportError(err);
  }
  return exitCode;
}

function reportError(err: unknown): number {
  const f = failureOf(err);
  process.stderr.write(`orch: ${f.message}\n`);
  if (err instanceof OrchError) {
    if (f.hint) process.stderr.write(`  hint: ${f.hint}\n`);
  } else if (process.env.ORCH_DEBUG) {
    // An unexpected failure is a bug in orch: say so, with the stack only when asked.
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`${mappedStack(e.stack ?? String(e))}\n`);
  } else process.stderr.write("  hint: set ORCH_DEBUG=1 for a stack trace, and please report it.\n");
  return f.exitCode;
}

function invokedDirectly(): boolean {
  try {
    // .native: one syscall; the JS realpath walks every component (this runs on every start).
    return !!process.argv[1] && realpathSync.native(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
/**
 * Runs the CLI on this process's arguments and exits with its code: what the `orch` bin does.
 * Every command has closed what it opened when runCli returns, so the process exits then, once its
 * output is written, instead of waiting for idle keep-alive sockets to close and the heap to be torn
 * down.
 */
export async function main(): Promise<void> {
  for (const s of [process.stdout, process.stderr]) s.on("error", readerGone);
  const code = await runCli(hideBin(process.argv));
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((r) => (s.writableLength > 0 ? s.write("", () => r()) : r()))));
  process.exit(code);
}

let stopping = false;
/**
 * Output that can no longer be written (its reader went away: `orch watch | head`, EPIPE; or a full
 * disk): instead of crashing with a stack trace, orch writes nothing more and stops as on SIGTERM
 * where a command handles it (run and watch record their attempts and release the lease); any other
 * command finishes and exits with its own code.
 */
function readerGone(): void {
  if (stopping) return;
  stopping = true;
  if (process.listenerCount("SIGTERM") > 0) process.kill(process.pid, "SIGTERM");
}

// The bin (dist/bin/orch.js) loads the bundle and calls main(); `node dist/cli/main.js` runs it here.
if (invokedDirectly()) void main();
