// The desired state as the loop holds it: config and mission, where an invalid new version is reported
// once (file:line:col) and the last valid one is kept, but only to hold its tasks (`invalid`: the loop
// then decides no start or redo); fixing it clears the report. An error in one task's own task file
// holds that task only (spec/held.ts): the other tasks' edits take effect.
import { DEFAULT_CONFIG, type Config, heldBy, loadConfig, loadMission, createSpecCache } from "../spec/index.js";
import type { Mission, TaskId, TaskSpec } from "../spec/index.js";
import { formatProblem, type Problem } from "../util/index.js";
import type { EventSink } from "./events.js";
import { checkedOutBranch } from "../workspace/index.js";

/** Last valid config and mission of one repository. */
export class DesiredState {
  config: Config = DEFAULT_CONFIG;
  mission: Mission | undefined;
  /**
   * The integration branch (e.g. refs/heads/main) while attempts get workspaces: the branch the checkout
   * was on at the first load, fixed for the run. Workspaces are made from it and merged into it.
   */
  integration: string | undefined;
  private shown = { mission: "", config: "", checkout: "" };
  /** Errors of the files as read now that leave a whole source invalid (not one task's own task file), and the checkout's. */
  private errors: { mission: Problem[]; config: Problem[]; checkout: Problem[] } = { mission: [], config: [], checkout: [] };
  private cache = createSpecCache();

  constructor(
    private readonly root: string,
    private readonly emit: EventSink,
  ) {}

  /** The TODO.md text the last load read ("" when it could not be read). */
  get todoText(): string {
    return this.cache.last?.todo ?? "";
  }

  /**
   * The errors that make the desired state invalid as read now (config, then TODO.md and the rest of
   * the mission): while there are any, the loop takes no start or redo decision (docs/RECONCILER.md).
   */
  get invalid(): Problem[] {
    return [...this.errors.config, ...this.errors.mission, ...this.errors.checkout];
  }

  /** Re-reads config then mission (the mission is read with the config in force), then the checkout's branch. */
  async load(): Promise<void> {
    await this.loadConfig();
    await this.loadMission();
    await this.loadCheckout();
  }

  /**
   * Fixes the integration branch at the first load that finds workspaces in use; from then on a
   * checkout on another branch (or on none) is a problem that holds every task: TODO.md and the task
   * files would be read from one branch while results merge into another, and dependents would start
   * from a base without their deps. Switching back clears it; a new run integrates into the new branch.
   */
  private async loadCheckout(): Promise<void> {
    const git = this.config.git;
    let problems: Problem[] = [];
    if (git.workspaces && git.commit !== "off") {
      const now = await checkedOutBranch(this.root);
      if (this.integration === undefined) this.integration = now;
      else if (now !== this.integration) {
        const name = (ref: string) => ref.replace(/^refs\/heads\//, "");
        problems = [
          {
            code: "branch-switched",
            severity: "error",
            file: "(git checkout)",
            line: 0,
            col: 0,
            message: `the checkout is ${now ? `on ${name(now)}` : "on a detached HEAD"}, not on ${name(this.integration)}, the branch this run integrates into (the checkout's branch as it started): nothing new starts, so that no task builds on a base without its dependencies`,
            hint: `Switch back (git switch ${name(this.integration)}) and orch goes on; or stop orch and start it again to integrate into the branch checked out then.`,
          },
        ];
      }
    }
    this.errors.checkout = problems;
    this.report("checkout", problems);
  }

  /** Re-reads the config; an invalid one is reported and the last valid one stays. */
  async loadConfig(): Promise<void> {
    const cfg = await loadConfig(this.root);
    this.errors.config = cfg.problems.filter((p) => p.severity === "error");
    if (this.report("config", cfg.problems) && cfg.config !== this.config && JSON.stringify(cfg.config) !== JSON.stringify(this.config)) {
      const first = this.mission === undefined && this.config === DEFAULT_CONFIG;
      this.config = cfg.config;
      if (!first) this.emit({ type: "config", status: "reloaded" });
    }
  }

  /**
   * Re-reads the mission with the config in force. Errors in TODO.md (or anywhere but one task's own
   * task file) keep the last valid mission whole. A task whose task file has errors is held (see
   * withHeld); every other task is taken as read.
   */
  async loadMission(): Promise<void> {
    const m = await loadMission(this.root, this.config, this.cache);
    const held = heldBy(m);
    this.errors.mission = held.mission;
    this.report("mission", m.problems, held.mission.length ? undefined : [...held.tasks]);
    if (held.mission.length) return;
    this.mission = held.tasks.size ? this.withHeld(m, held.tasks) : m;
    for (const t of this.mission.tasks) if (!t.held) this.valid.set(t.id, t);
    const ids = new Set(this.mission.tasks.map((t) => t.id));
    for (const id of this.valid.keys()) if (!ids.has(id)) this.valid.delete(id);
  }

  /** Each task's last spec read without errors (for tasks still in TODO.md). */
  private valid = new Map<TaskId, TaskSpec>();

  /**
   * The mission with each held task marked `held`: its last valid spec (with the checkbox and place
   * its TODO line has now), or, when it never had one, the TODO line alone. Plan takes no start,
   * redo or reset decision for a held task; a session it runs goes on (its generation is unchanged).
   */
  private withHeld(m: Mission, held: ReadonlySet<TaskId>): Mission {
    const tasks = m.tasks.map((t): TaskSpec => {
      if (!held.has(t.id)) return t;
      const last = this.valid.get(t.id);
      return last ? { ...last, checked: t.checked, line: t.line, col: t.col, headings: t.headings, children: t.children, held: true } : { ...t, held: true };
    });
    return { ...m, tasks };
  }

  /** Shows problems once (and their clearing); `held` lists the tasks they hold when they hold no more. */
  private report(source: "mission" | "config" | "checkout", problems: Problem[], held?: TaskId[]): boolean {
    const key = problems.map(formatProblem).join("\n");
    if (key !== this.shown[source]) {
      if (problems.length) this.emit(held?.length ? { type: "problems", source, problems, held } : { type: "problems", source, problems });
      else this.emit({ type: "problems-cleared", source });
      this.shown[source] = key;
    }
    return !problems.some((p) => p.severity === "error");
  }
}
