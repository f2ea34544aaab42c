// The reconcile loop: a work queue of one ("look again"), passes (pass.ts: re-read desired and actual
// state, apply plan()), requeues for time-based work, and a graceful stop. The lease is kept by
// lease-keeper.ts; time comes from an injected Clock. See docs/RECONCILER.md.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { FSWatcher } from "chokidar";
import type { Config, Mission } from "../spec/index.js";
import { Conditions, realClock, Timer, type Clock } from "../util/index.js";
import type { Store } from "../store/index.js";
import { fenceOf, TaskStates, type TaskState } from "../store/index.js";
import type { AgentRuntime, SessionError, ConfinePlan } from "../runtime/index.js";
import { ServerHealth } from "./server-health.js";
import { DesiredState } from "./desired.js";
import type { EventSink } from "./events.js";
import { Executor, type ExecutorEnv } from "./executor.js";
import { executorEnv } from "./executor-env.js";
import type { Plan } from "./actions.js";
import { recoverAtStart } from "../workspace/index.js";
import { startWatcher, watchedPaths } from "./watch.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { Passes } from "./pass.js";
import { carriedSpend } from "./mission-budget.js";
import { ContextPacks } from "./context-packs.js";
import type { Problem } from "../util/index.js";

/** How the loop is set up. */
export interface LoopOptions {
  root: string;
  store: Store;
  runtime: AgentRuntime;
  emit: EventSink;
  /** Watch files (orch watch) or only react to its own work (orch run). */
  watch: boolean;
  holder?: string;
  /** Time and timers (debounce, requeues, stall deadlines, backoff, write holds, lease renewal); default: the real clock. */
  clock?: Clock;
  rand?: () => number;
  /** A task must stay missing this long before its finalizer runs. */
  deleteGraceMs?: number;
  /** Put a context pack (context/pack.ts) into worker prompts (the CLI does; default false). */
  contextPacks?: boolean;
  /** Models chosen by the command (e.g. `--demo`), in place of the config file's. */
  models?: Config["models"];
  /** What verify commands may write (the CLI decides it with the server's confinement); absent: unconfined. */
  confine?: ConfinePlan;
}

/** One reconciler per repository and process. */
export class Reconciler {
  private readonly d: DesiredState;
  private get config(): Config {
    const c = this.d.config;
    return this.opts.models ? { ...c, models: this.opts.models } : c;
  }
  private get mission(): Mission | undefined {
    return this.d.mission;
  }
  private readonly keeper: LeaseKeeper;
  private readonly clock: Clock;
  /** The debounce of file events, a pass for time-based work, and a pass soon (usage) that is not pushed back. */
  private readonly debounce: Timer;
  private readonly requeueTimer: Timer;
  private readonly soonTimer: Timer;
  private watcher: FSWatcher | undefined;
  private dirty = false;
  private passing: Promise<void> | undefined;
  /** Set synchronously by stop(); `stopping` is the shutdown it started. */
  private halted = false;
  private stopping: Promise<void> | undefined;
  /** The mission budget's minutes count from here (docs/RECONCILER.md). */
  private readonly startedAt: number;
  /** What finalized tasks had spent: their records are gone, their spend is still the mission's. */
  private readonly carried = { tokens: 0, usd: 0 };
  private readonly server: ServerHealth;
  private readonly running: ExecutorEnv["running"] = new Map();
  private readonly executor: Executor;
  private readonly passes: Passes;
  private readonly states: TaskStates;
  private readonly packs: ContextPacks;
  /** Re-checked each time a drain ends and when the loop stops (whenQuiet, whenSettled). */
  private readonly conditions = new Conditions();
  private markStopped!: () => void;
  /** Resolves as soon as the loop stops (a signal, the end of orch run, or a lost lease). */
  readonly stopped: Promise<void> = new Promise((r) => (this.markStopped = r));
  /** The last plan, for `orch run`'s "nothing left to do" test. */
  get lastPlan(): Plan | undefined {
    return this.passes.lastPlan;
  }
  readonly holder: string;

  constructor(private readonly opts: LoopOptions) {
    const clock = (this.clock = opts.clock ?? realClock);
    this.startedAt = clock.now();
    this.states = new TaskStates(opts.store, () => clock.now());
    this.d = new DesiredState(opts.root, opts.emit);
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.debounce = new Timer(clock, () => this.enqueue());
    this.requeueTimer = new Timer(clock, () => this.enqueue());
    this.soonTimer = new Timer(clock, () => this.enqueue());
    this.packs = new ContextPacks(opts.root, () => this.config);
    this.server = new ServerHealth(() => this.config.circuitBreaker);
    this.keeper = new LeaseKeeper({
      leases: opts.store.leases,
      name: "mission",
      holder: this.holder,
      ttlMs: () => this.config.lease.ttlSec * 1000,
      clock,
      onWaiting: (holder) => opts.emit({ type: "lease", status: "waiting", holder }),
    });
    void this.keeper.lost.then(() => {
      // Lost (paused past the TTL, or taken over): stop acting at once; writes would be refused anyway.
      opts.emit({ type: "lease", status: "lost", holder: this.holder });
      return this.stop("lease-lost");
    });
    const self = this;
    this.executor = new Executor(
      executorEnv({
        opts, clock, states: this.states, server: this.server, packs: this.packs, running: this.running, carried: this.carried,
        config: () => self.config,
        mission: () => self.mission,
        integration: () => self.d.integration,
        lease: () => self.keeper.current,
        fence: () => self.fence(),
        executor: () => self.executor,
        enqueue: () => self.enqueue(),
        soon: (ms) => self.soonTimer.ensure(ms),
        halted: () => self.halted,
      }),
    );
    this.passes = new Passes({
      opts, clock, states: this.states, server: this.server, running: this.running, carried: this.carried, executor: this.executor,
      desired: this.d,
      startedAt: this.startedAt,
      config: () => self.config,
      fence: () => self.fence(),
      requeue: (ms) => self.requeue(ms),
    });
  }

  private fence() {
    return this.keeper.current ? fenceOf(this.keeper.current) : undefined;
  }

  /** Takes the mission lease (waiting while another live process holds it), then runs the first pass. */
  async start(): Promise<void> {
    await this.d.loadConfig();
    // The lease is taken while the mission is read (its writes wait on the disk, the reading on the CPU).
    const leased = this.keeper.acquire();
    leased.catch(() => {}); // awaited below; a failure meanwhile is not an unhandled rejection
    try {
      await this.d.loadMission();
      // Open tasks whose packs look things up: start the code tools now, while the lease is taken.
      if (this.opts.contextPacks) this.packs.warm(this.mission);
      const lease = await leased;
      if (!lease || this.halted) return; // stopped meanwhile: stop() released it
      this.opts.emit({ type: "lease", status: "acquired", holder: this.holder, token: lease.token });
      await this.recoverWorkspaces();
      await this.carryDeletedSpend();
      if (this.opts.watch) {
        this.watcher = await startWatcher(watchedPaths(this.opts.root, this.config), () => this.enqueue(this.config.watch.debounceMs));
        if (this.halted) await this.watcher.close(); // stopped while it started: shutDown did not see it
      }
    } catch (err) {
      // Nothing left behind: stop() ends the lease wait, closes the code tools and releases a lease held.
      await this.stop("signal");
      throw err;
    }
    this.enqueue();
  }

  /** Under the lease, before the first pass: interrupted merges finished, unneeded workspaces removed. */
  private async recoverWorkspaces(): Promise<void> {
    const states = await this.states.readAll((id, message) => this.opts.emit({ type: "error", task: id, message }));
    await recoverAtStart(this.opts.root, (id) => states.get(id)?.phase, (message, task) => this.opts.emit({ type: "error", message, ...(task ? { task } : {}) }));
  }

  /** What tasks removed from TODO.md in earlier processes and `orch plan`'s planners spent: no record holds it, it still counts for the mission budget. */
  private async carryDeletedSpend(): Promise<void> {
    const spent = carriedSpend(await this.opts.store.journal.read());
    this.carried.tokens += spent.tokens;
    this.carried.usd += spent.usd;
  }

  /** Asks for a pass after `delayMs` (debounce); events only enqueue, the pass re-reads everything. */
  enqueue(delayMs = 0): void {
    if (this.halted) return;
    if (delayMs > 0) return this.debounce.restart(delayMs);
    this.dirty = true;
    if (!this.passing)
      this.passing = this.drain().finally(() => {
        this.passing = undefined;
        this.conditions.changed();
      });
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.halted && this.keeper.current) {
      this.dirty = false;
      try {
        if (await this.passes.run()) this.dirty = true;
      } catch (err) {
        // One bad pass (an unreadable file, a store error) must not end the loop: report, retry soon.
        this.opts.emit({ type: "error", message: err instanceof Error ? err.message : String(err) });
        this.requeue(1000);
      }
    }
  }

  private get isQuiet(): boolean {
    return !this.passing && !this.dirty && this.running.size === 0;
  }

  private requeue(ms: number): void {
    if (!this.halted) this.requeueTimer.restart(Math.max(1, ms));
  }

  /** The last valid mission (undefined until one loaded). */
  get desired(): Mission | undefined {
    return this.mission;
  }

  /** True once stop() ran (a signal, the end of orch run, or a lost lease). */
  get isStopped(): boolean {
    return this.halted;
  }

  /** Number of attempts running in this process. */
  get active(): number {
    return this.running.size;
  }

  /** Every task's state as the last pass read it, for the live view. */
  get lastStates(): ReadonlyMap<string, TaskState> {
    return this.passes.lastStates;
  }

  /** Tasks running in this process, for the live view. */
  runningTasks(): ReadonlyMap<string, { role: string; attempt: number; startedAt: number; awaitingApproval: boolean }> {
    return this.running;
  }

  /** Resolves when no pass is pending and nothing runs, or the loop stopped (for orch run and tests). */
  whenQuiet(): Promise<void> {
    return this.conditions.until(() => this.halted || this.isQuiet);
  }

  /** Resolves once `holds()` is true or the loop stopped: checked now and each time a drain ends (e.g. `until(() => loop.settled)`). */
  until(holds: () => boolean): Promise<void> {
    return this.conditions.until(() => this.halted || holds());
  }

  /**
   * Set when the OpenCode server (or the model provider behind it) cannot be reached: nothing runs, the
   * circuit breaker is open, and the last failure that fed it was such a session. Its error, for `orch run` to
   * stop on (a watcher waits for the server instead).
   */
  get serverUnreachable(): SessionError | undefined {
    return this.running.size > 0 ? undefined : this.server.unreachableAt(this.clock.now());
  }

  /** The errors that make the desired state invalid as last read (nothing starts or is redone meanwhile). */
  get invalidDesired(): readonly Problem[] {
    return this.d.invalid;
  }

  /** What of the mission budget was reached, when the last pass found it used up. */
  get missionBudgetReached(): string | undefined {
    return this.lastPlan?.missionBudget;
  }

  /** True when the last pass had nothing to do, nothing runs, and no timer is pending. */
  get settled(): boolean {
    return this.isQuiet && !!this.lastPlan && this.lastPlan.actions.length === 0 && this.lastPlan.requeueAfterMs === undefined;
  }

  /**
   * Graceful stop: no new passes; running attempts are aborted and recorded (Pending, not charged),
   * then the lease is released. After "lease-lost" nothing is written. A second call waits for the first.
   */
  stop(reason: "signal" | "done" | "lease-lost" = "signal"): Promise<void> {
    return (this.stopping ??= this.shutDown(reason));
  }

  private async shutDown(reason: "signal" | "done" | "lease-lost"): Promise<void> {
    this.halted = true;
    this.markStopped();
    for (const t of [this.requeueTimer, this.debounce, this.soonTimer]) t.cancel();
    // Stop renewing now: a renewal must not race the release below. After a loss there is nothing to release.
    this.keeper.close();
    this.conditions.changed();
    await this.watcher?.close();
    await this.passing?.catch(() => {}); // a pass reports its own failure; here only its end matters
    await this.executor.abortAll("shutdown", 10_000);
    const released = reason === "lease-lost" ? Promise.resolve(false) : this.keeper.release();
    await Promise.all([
      released.then(
        (r) => r && this.opts.emit({ type: "lease", status: "released", holder: this.holder }),
        () => {},
      ),
      this.packs.close(),
    ]);
  }
}

