// Runs the reconciler the way `orch watch` and `orch run` do (and the test-only child entry with the
// fake runtime): signals → graceful stop; run mode → stop when nothing is left to do, exit 0 iff all done.
import { openStore, TaskStates } from "../store/index.js";
import type { AgentRuntime } from "../runtime/index.js";
import type { EventSink } from "./events.js";
import { Reconciler } from "./loop.js";
import { unreachableText } from "./server-health.js";
import { ownWorkDone } from "../graph/index.js";
import { formatProblem } from "../util/index.js";

/** How to drive the loop. */
export interface DriveOptions {
  root: string;
  runtime: AgentRuntime;
  mode: "watch" | "run";
  emit: EventSink;
  /** Hook for the live view: called once the loop exists. */
  onLoop?: (loop: Reconciler) => void;
  /** Handle SIGINT/SIGTERM (default true). */
  signals?: boolean;
  /** Context packs in worker prompts (the CLI: true). */
  contextPacks?: boolean;
  /** Models chosen by the command (e.g. `--demo`), in place of the config file's. */
  models?: import("../spec/config.js").Config["models"];
  /** What verify commands may write (confinement.ts); absent: unconfined. */
  confine?: import("../runtime/confinement.js").ConfinePlan;
}

/**
 * How a drive ended, as a value: the CLI (src/cli/outcome.ts) turns it into an exit code and a message.
 * `stopped`: watch stopped by a signal; `interrupted`: run stopped by a signal before it finished.
 */
export type DriveOutcome =
  | { kind: "all-done" }
  | { kind: "not-done"; interrupted: boolean }
  | { kind: "stopped" }
  | { kind: "lease-lost" }
  | { kind: "mission-budget"; reason: string } // reason: the limit reached
  | { kind: "invalid"; problems: string[] } // the files' errors (file:line:col: message), nothing started or redone from them
  | { kind: "server-unreachable"; what: "server" | "provider"; reason: string }; // reason: what cannot be reached, and the error

/** Runs the loop until it is done (run) or stopped (watch); resolves to how it ended. */
export async function drive(opts: DriveOptions): Promise<DriveOutcome> {
  const store = openStore(opts.root);
  let leaseLost = false;
  const loop = new Reconciler({
    root: opts.root,
    store,
    runtime: opts.runtime,
    watch: opts.mode === "watch",
    contextPacks: opts.contextPacks ?? false,
    ...(opts.models ? { models: opts.models } : {}),
    ...(opts.confine ? { confine: opts.confine } : {}),
    emit: (e) => {
      if (e.type === "lease" && e.status === "lost") leaseLost = true;
      opts.emit(e);
    },
  });
  opts.onLoop?.(loop);
  let stopRequested!: () => void;
  const stopped = new Promise<void>((r) => (stopRequested = r));
  const onSignal = () => stopRequested();
  if (opts.signals !== false) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  try {
    const started = loop.start();
    await Promise.race([started, stopped]);
    if (opts.mode === "watch") {
      // Until a signal, or the loop stops on its own (lease lost).
      await Promise.race([stopped, loop.stopped]);
      await loop.stop("signal");
      return leaseLost ? { kind: "lease-lost" } : { kind: "stopped" };
    }
    // run: until the last pass had nothing to do, nothing runs and no retry is pending; or the server
    // cannot be reached (waiting out the breaker's cooldowns would only probe a server that is not there).
    let interrupted = false;
    void stopped.then(() => (interrupted = true));
    await started;
    await Promise.race([loop.until(() => loop.settled || loop.serverUnreachable !== undefined), stopped]);
    const unreachable = interrupted || leaseLost || loop.settled ? undefined : loop.serverUnreachable;
    const m = loop.desired;
    const budget = loop.missionBudgetReached;
    const invalid = loop.invalidDesired.map((p) => formatProblem({ ...p, hint: undefined }));
    // Settled (nothing runs, no pass due): the runtime (its event stream) closes while the lease is released.
    // A close that fails changes no result: the process ends, and the server with it.
    const closing = !interrupted && loop.settled ? opts.runtime.close().catch(() => {}) : undefined;
    await loop.stop(interrupted ? "signal" : "done");
    await closing;
    if (leaseLost) return { kind: "lease-lost" };
    if (unreachable !== undefined) return { kind: "server-unreachable", what: unreachable.code === "provider-unreachable" ? "provider" : "server", reason: unreachableText(unreachable) };
    if (!interrupted && invalid.length > 0) return { kind: "invalid", problems: invalid };
    if (!m) return { kind: "not-done", interrupted };
    // The passes reported unreadable records; one missing here counts as not done (exit 1), the safe side.
    const actual = await new TaskStates(store).readAll(() => {});
    // Every task's own work done is every task done (subtasks are tasks too).
    if (m.tasks.every((t) => ownWorkDone(t, actual.get(t.id)))) return { kind: "all-done" };
    if (!interrupted && budget !== undefined) return { kind: "mission-budget", reason: budget };
    return { kind: "not-done", interrupted };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await opts.runtime.close().catch(() => {}); // already closing or closed above; the result is decided
    await store.close();
  }
}
