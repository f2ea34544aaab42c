// Shared by `orch watch` and `orch run`: config, the OpenCode runtime (runtime/create-runtime.ts), the view.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { requireTodo, validRepoConfig } from "../repo.js";
import { OrchError, failureOf, realClock } from "../../util/index.js";
import { openBoard, parseListen } from "../../ui/index.js";
import { taskDetails } from "../task-report.js";
import { createRuntime, checkoutPlan, decideConfinement, workspacesPlan, type RuntimeChoice } from "../../runtime/index.js";
import { workspacesUsed } from "../../workspace/index.js";
import { drive } from "../../reconcile/index.js";
import { finishWith } from "../outcome.js";
import { chooseModels } from "../model-choice.js";
import { createView, pickMode } from "../view.js";
import type { Reconciler } from "../../reconcile/index.js";
import { ApprovalFiles, FileJournal, DEFAULT_LOCK_OPTIONS, StorePaths, spendOf } from "../../store/index.js";
import { ownWorkDone, taskGraph } from "../../graph/index.js";
import type { TaskRow } from "../live-view.js";
import { createNotifier } from "../notify.js";

/** Options both commands take. */
export interface LoopArgs {
  dir: string;
  json: boolean;
  server?: string;
  /** Use the built-in scripted demo model for every role (an owned server only). */
  demo?: boolean;
  /** Serve the live board at this address ("" for loopback on a free port); `watch` only. */
  ui?: string;
  /** --runtime: which OpenCode, over config `runtime`. */
  runtime?: RuntimeChoice;
}

/** Runs the loop in `mode`; resolves to the exit code. */
export async function runLoopCommand(mode: "watch" | "run", args: LoopArgs): Promise<number> {
  if (args.server !== undefined) checkServerUrl(args.server);
  const listen = args.ui === undefined ? undefined : parseListen(args.ui);
  const repo = await validRepoConfig(args.dir);
  const { root } = repo;
  requireTodo(root, repo.config);
  // Before anything is written: no model is exit 2 with nothing changed.
  const chosen = chooseModels(repo.config, root, { demo: args.demo, serverUrl: args.server });
  const { startDemoModel } = chosen;
  const config = args.runtime ? { ...chosen.config, runtime: args.runtime } : chosen.config;
  // Decided once, before anything starts: `sandbox: "required"` without confinement is exit 2 here.
  // With workspaces the person's checkout is read-only to agents: they write only the workspaces.
  const workspaces = !("why" in (await workspacesUsed(root, config.git)));
  const { plan, notice } = decideConfinement(config.sandbox, workspaces ? workspacesPlan(root) : checkoutPlan(root, config), { external: (args.server ?? config.server.url) !== undefined });
  // The workspaces' folder exists before a confined server starts, so that it is bound writable.
  mkdirSync(path.join(root, ".orchestrator", "worktrees"), { recursive: true });
  // The board listens before anything starts: a port in use is exit 2 with nothing running yet.
  const board = listen ? await openBoard({ root, config, listen, live: true, details: (id) => taskDetails(root, id), clock: realClock, now: Date.now }) : undefined;
  if (board) process.stderr.write(`orch: the board is at ${board.url}\n`);
  const runtime = createRuntime(config, root, { approvals: new ApprovalFiles(root), ...(args.server ? { serverUrl: args.server } : {}), ...(startDemoModel ? { startDemoModel } : {}), ...(plan ? { confine: plan } : {}) });
  runtime.warm();
  let loop: Reconciler | undefined;
  const viewMode = pickMode(args.json);
  // The live view totals from what the history recorded before this run (as status and log do), plus what this run spends.
  const spend = viewMode === "tty" ? spendOf((await new FileJournal(new StorePaths(root), DEFAULT_LOCK_OPTIONS).readDetailed()).events) : undefined;
  const view = createView(viewMode, { running: () => loop?.runningTasks() ?? new Map(), tasks: () => (loop ? taskRows(loop) : undefined) }, process.stdout, Date.now, spend);
  const notifier = createNotifier(config, root, (message) => view.event({ type: "error", message }));
  if (notice) view.event({ type: "sandbox", confined: false, message: notice });
  try {
    return finishWith(
      await drive({
        root,
        runtime,
        mode,
        ...(args.demo ? { models: config.models } : {}),
        ...(plan ? { confine: plan } : {}),
        contextPacks: true,
        emit: (e) => {
          view.event(e);
          notifier.event(e);
          board?.event(e);
        },
        onLoop: (l) => (loop = l),
      }),
    );
  } catch (err) {
    // A --json reader learns why the stream ends (e.g. exit 4, the server cannot be reached) from the stream.
    view.event({ type: "stopped", ...failureOf(err) });
    throw err;
  } finally {
    await notifier.drain();
    await board?.close();
    view.close();
  }
}

/** Every task as the loop's last pass saw it, for the live view (done and blocked-by as graph/ decides them for status and plan). */
function taskRows(loop: Reconciler): TaskRow[] | undefined {
  const mission = loop.desired;
  if (!mission) return undefined;
  const states = loop.lastStates;
  const g = taskGraph(mission.tasks, (t) => ownWorkDone(t, states.get(t.id)));
  return mission.tasks.map((t) => {
    const s = states.get(t.id);
    const done = g.done(t.id);
    return { id: t.id, title: t.title, ...(s ? { phase: s.phase } : {}), done, blockedBy: done ? [] : g.blockedBy(t) };
  });
}

/** OrchError "usage" (exit 2) unless `url` is an http(s) URL (config's server.url is checked by its schema). */
export function checkServerUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== "http:" && protocol !== "https:")
    throw new OrchError("usage", `--server ${JSON.stringify(url)} is not an http(s) URL`, { exitCode: 2, hint: "Pass the URL `opencode serve` prints, e.g. --server http://127.0.0.1:4096." });
}

/** yargs options of watch and run. */
export function loopOptions<T>(y: import("yargs").Argv<T>) {
  return y
    .option("json", { type: "boolean", default: false, describe: "One JSON event per line" })
    .option("server", { type: "string", describe: "URL of a running `opencode serve` (default: config server.url, else orch starts one)" })
    .option("demo", { type: "boolean", default: false, describe: "Use the built-in scripted demo model (offline; writes known example solutions only, fails other tasks)" })
    .option("runtime", { type: "string", choices: ["auto", "opencode1", "opencode2"] as const, describe: "Which OpenCode to start or expect (default: config runtime, auto)" });
}
