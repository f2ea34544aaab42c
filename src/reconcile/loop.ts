// The reconcile loop: a lease, a work queue of one ("look again"), passes that re-read desired and actual
// state and apply plan(), requeues for time-based work, and a graceful stop. See docs/RECONCILER.md.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { FSWatcher } from "chokidar";
import type { Config } from "../spec/config.js";
import type { Mission, TaskSpec } from "../spec/model.js";
import { buildContextPack, packNeedsTools } from "../context/pack.js";
import { Semaphore } from "../util/semaphore.js";
import { SessionSlots } from "./slots.js";
import { openCodeTools } from "../context/open.js";
import type { Store } from "../store/open.js";
import type { Lease } from "../store/types.js";
import { fenceOf } from "../store/leases.js";
import type { AgentRuntime } from "../runtime/types.js";
import { breakerAt, breakerOnResult, breakerOnStart, CLOSED, type BreakerState } from "./breaker.js";
import { readControls } from "./controls.js";
import { DesiredState } from "./desired.js";
import type { EventSink } from "./events.js";
import { Executor, type ExecutorEnv } from "./executor.js";
import { plan } from "./plan.js";
import { ownWorkDone, taskGraph } from "../graph/task-graph.js";
import { applyPatch, usageAdded, type Plan } from "./actions.js";
import { TaskStates } from "../store/task-states.js";
import { classifier } from "./uncheck.js";
import { assignMissingIds } from "./assign-ids.js";
import { startWatcher, watchedPaths } from "./watch.js";
import type { PackText } from "./prompt.js";

/** How the loop is set up. */
export interface LoopOptions {
  root: string;
  store: Store;
  runtime: AgentRuntime;
  emit: EventSink;
  /** Watch files (orch watch) or only react to its own work (orch run). */
  watch: boolean;
  holder?: string;
  now?: () => number;
  rand?: () => number;
  /** A task must stay missing this long before its finalizer runs. */
  deleteGraceMs?: number;
  /** Put a context pack (context/pack.ts) into worker prompts (the CLI does; default false). */
  contextPacks?: boolean;
}

const MISSION_LEASE = "mission";

/** One reconciler per repository and process. */
export class Reconciler {
  private readonly d: DesiredState;
  private get config(): Config {
    return this.d.config;
  }
  private get mission(): Mission | undefined {
    return this.d.mission;
  }
  private lease: Lease | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private requeueTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private dirty = false;
  private passing: Promise<void> | undefined;
  private stopped = false;
  private passNo = 0;
  private breaker: BreakerState = CLOSED;
  /** The error of the last session outcome when that session found the server unreachable. */
  private unreachable: string | undefined;
  private missingSince = new Map<string, number>();
  private seenSince = new Map<string, number>();
  private readonly running: ExecutorEnv["running"] = new Map();
  private readonly executor: Executor;
  private readonly now: () => number;
  private readonly states: TaskStates;
  private quiet: (() => void)[] = [];
  /** The last plan, for `orch run`'s "nothing left to do" test. */
  lastPlan: Plan | undefined;
  readonly holder: string;

  constructor(private readonly opts: LoopOptions) {
    this.now = opts.now ?? Date.now;
    this.states = new TaskStates(opts.store, this.now);
    this.d = new DesiredState(opts.root, opts.emit);
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const self = this;
    const env: ExecutorEnv = {
      root: opts.root,
      runtime: opts.runtime,
      states: this.states,
      journal: opts.store.journal,
      todo: (f) => opts.store.todo(f),
      approvals: opts.store.approvals,
      now: this.now,
      rand: opts.rand ?? Math.random,
      emit: opts.emit,
      config: () => self.config,
      mission: () => self.mission!,
      task: (id) => self.mission?.tasks.find((t) => t.id === id),
      fence: () => (self.lease ? fenceOf(self.lease) : undefined),
      owner: () => (self.lease ? { holder: self.lease.holder, token: self.lease.token } : undefined),
      running: this.running,
      sessionOutcome: (o, error) => {
        const before = breakerAt(self.breaker, self.now(), self.config.circuitBreaker);
        self.breaker = breakerOnResult(before, o, self.now(), self.config.circuitBreaker);
        // The latest word on the server: any session that ran (ok or not) answers for it.
        self.unreachable = o === "infrastructure" && error?.unreachable ? error.message : undefined;
        // A watcher waits for the server (orch run stops instead: drive.ts): say so once, as it starts waiting.
        if (opts.watch && before.status === "closed" && self.breaker.status === "open" && self.unreachable !== undefined)
          opts.emit({ type: "error", message: `the OpenCode server cannot be reached (${self.unreachable}); waiting for it, trying again every ${self.config.circuitBreaker.cooldownSec} s` });
      },
      succeed: (id, gen, pending) => self.executor.succeed(id, gen, pending),
      ...(opts.contextPacks ? { context: (t: TaskSpec) => self.contextFor(t) } : {}),
      attemptEnded: () => self.enqueue(),
      usageChanged: () => self.soon(500),
      mayStart: () => !self.stopped && self.lease !== undefined,
      slots: new SessionSlots(() => self.running.values(), () => self.config.concurrency, () => self.enqueue()),
      verifies: new Semaphore(() => self.config.concurrency.verify ?? self.config.concurrency.total),
    };
    this.executor = new Executor(env);
  }

  private tools: ReturnType<typeof openCodeTools> | undefined;

  /** The code tools (orch-native pool or fallback), opened on first use. */
  private codeTools(): ReturnType<typeof openCodeTools> {
    return (this.tools ??= openCodeTools(this.opts.root, { pool: this.config.context.nativePool }));
  }

  /** The task's context pack, and the lookups left out of it (said in the task's history). */
  private async contextFor(t: TaskSpec): Promise<PackText | undefined> {
    if (!this.mission) return undefined;
    const pack = await buildContextPack(t, this.mission, () => this.codeTools(), { tokenBudget: this.config.context.tokenBudget });
    return { text: pack.text.trim() || undefined, warnings: pack.warnings };
  }

  /** Takes the mission lease (waiting while another live process holds it), then runs the first pass. */
  async start(): Promise<void> {
    await this.d.loadConfig();
    // The lease is taken while the mission is read (its writes wait on the disk, the reading on the CPU).
    const leased = this.takeLease();
    leased.catch(() => {}); // awaited below; a failure meanwhile is not an unhandled rejection
    try {
      await this.d.loadMission();
      // Open tasks whose packs look things up: start the code tools now, while the lease is taken.
      if (this.opts.contextPacks && this.mission?.tasks.some((t) => !t.checked && packNeedsTools(t))) void this.codeTools().catch(() => {}); // a warm-up: a failure shows when a pack needs the tools
      await leased;
      if (!this.lease) return;
      const ttl = this.config.lease.ttlSec * 1000;
      this.opts.emit({ type: "lease", status: "acquired", holder: this.holder, token: this.lease.token });
      this.leaseTimer = setInterval(() => void this.renew(), Math.max(50, ttl / 3));
      if (this.opts.watch) this.watcher = await startWatcher(watchedPaths(this.opts.root, this.config), () => this.enqueue(this.config.watch.debounceMs));
    } catch (err) {
      // Nothing left behind: stop() ends the lease loop, closes the code tools and releases a lease
      // held; one taken after that (the loop was mid-write) is released here.
      await this.stop("signal");
      await leased.catch(() => {});
      if (this.lease) await this.opts.store.leases.release(this.lease).catch(() => {});
      this.lease = undefined;
      throw err;
    }
    this.enqueue();
  }

  /** Takes the mission lease, waiting while another live process holds it (until stopped). */
  private async takeLease(): Promise<void> {
    const ttl = this.config.lease.ttlSec * 1000;
    let waiting = false;
    while (!this.stopped) {
      this.lease = await this.opts.store.leases.acquire(MISSION_LEASE, this.holder, ttl);
      if (this.lease) break;
      if (!waiting) {
        const cur = await this.opts.store.leases.current(MISSION_LEASE);
        this.opts.emit({ type: "lease", status: "waiting", holder: cur?.holder });
        waiting = true;
      }
      await new Promise((r) => setTimeout(r, Math.max(50, ttl / 5)));
    }
  }

  private async renew(): Promise<void> {
    if (!this.lease || this.stopped) return;
    try {
      this.lease = await this.opts.store.leases.renew(this.lease, this.config.lease.ttlSec * 1000);
    } catch {
      // Lost (paused past the TTL, or taken over): stop acting at once; writes would be refused anyway.
      this.opts.emit({ type: "lease", status: "lost", holder: this.holder });
      this.lease = undefined;
      await this.stop("lease-lost");
    }
  }

  /** Asks for a pass after `delayMs` (debounce); events only enqueue, the pass re-reads everything. */
  enqueue(delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      if (this.debounceTimer) clearTimeout(this.debounceTimer);
      this.debounceTimer = setTimeout(() => {
        this.debounceTimer = undefined;
        this.enqueue();
      }, delayMs);
      return;
    }
    this.dirty = true;
    if (!this.passing)
      this.passing = this.drain().finally(() => {
        this.passing = undefined;
        this.notifyQuiet();
      });
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.stopped && this.lease) {
      this.dirty = false;
      try {
        await this.pass();
      } catch (err) {
        // One bad pass (an unreadable file, a store error) must not end the loop: report, retry soon.
        this.opts.emit({ type: "error", message: err instanceof Error ? err.message : String(err) });
        this.requeue(1000);
      }
    }
  }

  private notifyQuiet(): void {
    if (this.passing || this.dirty || this.running.size > 0) return;
    const list = this.quiet;
    this.quiet = [];
    for (const f of list) f();
  }

  private async pass(): Promise<void> {
    const t0 = performance.now();
    const n = ++this.passNo;
    await this.d.load();
    const mission = this.mission;
    if (mission && (await this.assignIds(mission))) {
      this.dirty = true; // the next pass reads the lines with their new ids
      return;
    }
    if (!mission) {
      // Nothing valid to act on yet (the problems were shown): `orch run` ends, `orch watch` waits for a fix.
      this.lastPlan = { actions: [] };
      return;
    }
    const actual = await this.states.readAll((id, message) => this.opts.emit({ type: "error", task: id, message }));
    const controls = await readControls(this.opts.store.records);
    // Budgets see the running sessions' usage before it is recorded.
    for (const [id, e] of this.running) {
      const s = actual.get(id);
      // Until the record has this session's end (and so its usage), count the live totals.
      if (!s || !e.live || s.sessions.some((x) => x.id === e.live!.sessionId && x.endedAt)) continue;
      actual.set(id, applyPatch(s, usageAdded(e.live.usage, e.live.costUsd)(s)));
    }
    const ids = new Set(mission.tasks.map((t) => t.id));
    // Tasks without a record age from when this process first saw them.
    for (const t of mission.tasks) if (!actual.has(t.id) && !this.seenSince.has(t.id)) this.seenSince.set(t.id, this.now());
    for (const id of this.seenSince.keys()) if (!ids.has(id) || actual.has(id)) this.seenSince.delete(id);
    for (const id of actual.keys()) if (!ids.has(id) && !this.missingSince.has(id)) this.missingSince.set(id, this.now());
    for (const id of this.missingSince.keys()) if (ids.has(id) || !actual.has(id)) this.missingSince.delete(id);
    const now = this.now();
    this.breaker = breakerAt(this.breaker, now, this.config.circuitBreaker);
    const p = plan(mission, actual, {
      now,
      config: this.config,
      running: this.running,
      breaker: this.breaker,
      controls,
      classifyUncheck: classifier(mission, this.d.todoText, actual),
      missingSince: this.missingSince,
      deleteGraceMs: this.opts.deleteGraceMs ?? 1000,
      seenSince: this.seenSince,
    });
    this.lastPlan = p;
    for (const a of p.actions) {
      this.opts.emit({ type: "action", pass: n, action: a });
      if (a.type === "start") this.breaker = breakerOnStart(this.breaker);
    }
    await this.executor.apply(p.actions);
    // State writes can make more work ready (a group checked, a dep done): look again until a pass has nothing to do.
    if (p.actions.some((a) => a.type === "set" || a.type === "check" || a.type === "uncheck" || a.type === "finalize")) this.dirty = true;
    // Sessions started in this pass were not in its plan: their stall deadline needs a pass too.
    const wake = Math.min(p.requeueAfterMs ?? Infinity, this.running.size > 0 ? this.config.stallSec * 1000 : Infinity);
    if (wake !== Infinity) this.requeue(wake);
    this.opts.emit({ type: "pass", pass: n, ms: Math.round(performance.now() - t0), actions: p.actions.length, tasks: mission.tasks.length });
    if (p.actions.length === 0 && this.running.size === 0) {
      const g = taskGraph(mission.tasks, (t) => ownWorkDone(t, actual.get(t.id)));
      const done = mission.tasks.filter((t) => g.done(t.id)).length;
      this.opts.emit({ type: "idle", done, total: mission.tasks.length });
    }
  }

  /** Writes ids into id-less task lines; true when it wrote any. */
  private async assignIds(mission: Mission): Promise<boolean> {
    const assigned = await assignMissingIds(this.opts.store, mission, this.config.idPrefix, this.lease ? fenceOf(this.lease) : undefined);
    if (assigned.length) this.opts.emit({ type: "ids", file: mission.todoFile, assigned });
    return assigned.length > 0;
  }

  private soonTimer: NodeJS.Timeout | undefined;

  /** A pass within `ms`, without delaying one already due (unlike the debounce). */
  private soon(ms: number): void {
    if (this.soonTimer || this.stopped) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.enqueue();
    }, ms);
  }

  private requeue(ms: number): void {
    if (this.stopped) return;
    if (this.requeueTimer) clearTimeout(this.requeueTimer);
    this.requeueTimer = setTimeout(() => this.enqueue(), Math.max(1, Math.min(ms, 2 ** 31 - 1)));
  }

  /** The last valid mission (undefined until one loaded). */
  get desired(): Mission | undefined {
    return this.mission;
  }

  /** True once stop() ran (a signal, the end of orch run, or a lost lease). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Number of attempts running in this process. */
  get active(): number {
    return this.running.size;
  }

  /** Tasks running in this process, for the live view. */
  runningTasks(): ReadonlyMap<string, { role: string; attempt: number; startedAt: number; awaitingApproval: boolean }> {
    return this.running;
  }

  /** Resolves when no pass is pending and nothing runs (for orch run and tests). */
  whenQuiet(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped || (!this.passing && !this.dirty && this.running.size === 0)) resolve();
      else this.quiet.push(resolve);
    });
  }

  /**
   * Set when the OpenCode server cannot be reached: nothing runs, the circuit breaker is open, and
   * the last failure that fed it was a session that could not start. Its error, for `orch run` to
   * stop on (a watcher waits for the server instead).
   */
  get serverUnreachable(): string | undefined {
    if (this.running.size > 0 || this.unreachable === undefined) return undefined;
    return breakerAt(this.breaker, this.now(), this.config.circuitBreaker).status === "open" ? this.unreachable : undefined;
  }

  /** True when the last pass had nothing to do, nothing runs, and no timer is pending. */
  get settled(): boolean {
    return !this.passing && !this.dirty && this.running.size === 0 && !!this.lastPlan && this.lastPlan.actions.length === 0 && this.lastPlan.requeueAfterMs === undefined;
  }

  /**
   * Graceful stop: no new passes; running attempts are aborted and recorded (Pending, not charged),
   * then the lease is released. After "lease-lost" nothing is written.
   */
  async stop(reason: "signal" | "done" | "lease-lost" = "signal"): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.leaseTimer, this.requeueTimer, this.debounceTimer, this.soonTimer]) if (t) clearTimeout(t);
    clearInterval(this.leaseTimer);
    await this.watcher?.close();
    await this.passing?.catch(() => {}); // a pass reports its own failure; here only its end matters
    await this.executor.abortAll("shutdown", 10_000);
    const lease = reason === "lease-lost" ? undefined : this.lease;
    this.lease = undefined;
    await Promise.all([
      lease &&
        this.opts.store.leases.release(lease).then(
          () => this.opts.emit({ type: "lease", status: "released", holder: this.holder }),
          () => {}, // not released: it expires after its TTL, and the next holder takes it then
        ),
      this.tools?.then((t) => t.close()).catch(() => {}), // stopping: tools that failed to open or close hold nothing
    ]);
    for (const f of this.quiet.splice(0)) f();
  }
}
