// Shared by `orch watch` and `orch run`: config, the OpenCode runtime from runtime/index.ts, the view.
import { validRepoConfig } from "../repo.js";
import { createRuntime } from "../../runtime/index.js";
import { drive } from "../../reconcile/drive.js";
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
  const { root, config } = await validRepoConfig(args.dir);
  const runtime = createRuntime(config, root, { ...(args.server ? { serverUrl: args.server } : {}) });
  runtime.warm();
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
