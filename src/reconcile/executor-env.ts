// The environment the loop gives its executor and attempts: the store, the runtime, the clock and the
// loop's own state, read when used (the config and mission change on every reload).
import type { Config, Mission, TaskSpec } from "../spec/index.js";
import { Semaphore, type Clock } from "../util/index.js";
import type { Lease, TaskStates } from "../store/index.js";
import { isGroup } from "../graph/index.js";
import type { ContextPacks } from "./context-packs.js";
import type { Executor, ExecutorEnv } from "./executor.js";
import type { LoopOptions } from "./loop.js";
import { unreachableText, type ServerHealth } from "./server-health.js";
import { SessionSlots } from "./slots.js";
import { totalTokens } from "./budget.js";
import { planSplitter } from "./split.js";

/** The parts of the loop the environment reads. */
export interface LoopParts {
  opts: LoopOptions;
  clock: Clock;
  states: TaskStates;
  server: ServerHealth;
  packs: ContextPacks;
  running: ExecutorEnv["running"];
  /** What finalized tasks had spent (their records are gone; it still counts for the mission budget). */
  carried: { tokens: number; usd: number };
  config(): Config;
  mission(): Mission | undefined;
  /** The run's integration branch (desired.ts), once fixed. */
  integration(): string | undefined;
  lease(): Lease | undefined;
  fence(): ReturnType<ExecutorEnv["fence"]>;
  executor(): Executor;
  enqueue(): void;
  /** A pass within `ms`, not pushed back by later calls. */
  soon(ms: number): void;
  /** True once the loop stops. */
  halted(): boolean;
}

/** Builds the executor's environment from the loop's parts. */
export function executorEnv(p: LoopParts): ExecutorEnv {
  return {
    root: p.opts.root,
    runtime: p.opts.runtime,
    states: p.states,
    journal: p.opts.store.journal,
    todo: (f) => p.opts.store.todo(f),
    approvals: p.opts.store.approvals,
    inbox: p.opts.store.inbox,
    now: () => p.clock.now(),
    clock: p.clock,
    rand: p.opts.rand ?? Math.random,
    emit: p.opts.emit,
    config: () => p.config(),
    mission: () => p.mission()!,
    task: (id) => p.mission()?.tasks.find((t) => t.id === id),
    integration: () => p.integration(),
    fence: () => p.fence(),
    owner: () => {
      const lease = p.lease();
      return lease ? { holder: lease.holder, token: lease.token } : undefined;
    },
    running: p.running,
    sessionOutcome: (o, error) => {
      const opened = p.server.outcome(o, error, p.clock.now());
      // A watcher waits for the server (orch run stops instead: drive.ts): say so once, as it starts waiting.
      if (p.opts.watch && opened !== undefined)
        p.opts.emit({ type: "error", message: `${unreachableText(opened)}; waiting for it, trying again every ${p.config().circuitBreaker.cooldownSec} s` });
    },
    succeed: (id, gen, pending, ws) => p.executor().succeed(id, gen, pending, ws),
    otherScopes: (id) => (p.mission()?.tasks ?? []).filter((t) => t.id !== id && !t.checked && !isGroup(t)).map((t) => t.files),
    untick: (id) => p.executor().untick(id),
    ...(p.opts.contextPacks ? { context: (t: TaskSpec) => p.packs.packFor(t, p.mission()) } : {}),
    attemptEnded: () => p.enqueue(),
    usageChanged: () => p.soon(500),
    mayStart: () => !p.halted() && p.lease() !== undefined,
    removing: (s) => {
      p.carried.tokens += totalTokens(s);
      p.carried.usd += s.costUsd;
    },
    slots: new SessionSlots(() => p.running.values(), () => p.config().concurrency, () => p.enqueue()),
    verifies: new Semaphore(() => p.config().concurrency.verify ?? p.config().concurrency.total),
    ...(p.opts.confine ? { confine: p.opts.confine } : {}),
    split: planSplitter({ store: p.opts.store, runtime: p.opts.runtime, config: () => p.config(), mission: () => p.mission(), fence: () => p.fence() }),
  };
}
