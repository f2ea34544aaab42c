// Shared by `orch watch` and `orch run`: config, the OpenCode runtime from runtime/index.ts, the view.
import path from "node:path";
import { loadConfig } from "../../spec/load.js";
import { createRuntime } from "../../runtime/index.js";
import { drive } from "../../reconcile/drive.js";
import { OrchError, formatProblem } from "../../util/errors.js";
import { createView, pickMode } from "../view.js";
import type { Reconciler } from "../../reconcile/loop.js";

/** Options both commands take. */
export interface LoopArgs {
  dir: string;
  json: boolean;
  server?: string;
}

/** Runs the loop in `mode`; resolves to the exit code. */
export async function runLoopCommand(mode: "watch" | "run", args: LoopArgs): Promise<number> {
  const root = path.resolve(args.dir);
  const { config, problems } = await loadConfig(root);
  if (problems.some((p) => p.severity === "error"))
    throw new OrchError("bad-config", problems.map(formatProblem).join("\n"), { hint: "Fix .orchestrator/config.json, then run again." });
  const runtime = createRuntime(config, root, { ...(args.server ? { serverUrl: args.server } : {}) });
  let loop: Reconciler | undefined;
  const view = createView(pickMode(args.json), { running: () => loop?.runningTasks() ?? new Map() });
  try {
    return await drive({ root, runtime, mode, contextPacks: true, emit: (e) => view.event(e), onLoop: (l) => (loop = l) });
  } finally {
    view.close();
  }
}

/** yargs options of watch and run. */
export function loopOptions<T>(y: import("yargs").Argv<T>) {
  return y
    .option("json", { type: "boolean", default: false, describe: "One JSON event per line" })
    .option("server", { type: "string", describe: "URL of a running `opencode serve` (default: config server.url, else orch starts one)" });
}
