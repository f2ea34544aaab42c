// The desired state as the loop holds it: config and mission, where an invalid new version is reported
// once (file:line:col) and the last valid one stays in force; fixing it clears the report.
import { DEFAULT_CONFIG, type Config } from "../spec/config.js";
import type { Mission } from "../spec/model.js";
import { loadConfig, loadMission } from "../spec/load.js";
import { createSpecCache } from "../spec/mission.js";
import { formatProblem, type Problem } from "../util/errors.js";
import type { EventSink } from "./events.js";

/** Last valid config and mission of one repository. */
export class DesiredState {
  config: Config = DEFAULT_CONFIG;
  mission: Mission | undefined;
  private shown = { mission: "", config: "" };
  private cache = createSpecCache();

  constructor(
    private readonly root: string,
    private readonly emit: EventSink,
  ) {}

  /** The TODO.md text the last load read ("" when it could not be read). */
  get todoText(): string {
    return this.cache.last?.todo ?? "";
  }

  /** Re-reads config then mission (the mission is read with the config in force). */
  async load(): Promise<void> {
    await this.loadConfig();
    await this.loadMission();
  }

  /** Re-reads the config; an invalid one is reported and the last valid one stays. */
  async loadConfig(): Promise<void> {
    const cfg = await loadConfig(this.root);
    if (this.report("config", cfg.problems) && cfg.config !== this.config && JSON.stringify(cfg.config) !== JSON.stringify(this.config)) {
      const first = this.mission === undefined && this.config === DEFAULT_CONFIG;
      this.config = cfg.config;
      if (!first) this.emit({ type: "config", status: "reloaded" });
    }
  }

  /** Re-reads the mission with the config in force; an invalid one is reported and the last valid one stays. */
  async loadMission(): Promise<void> {
    const m = await loadMission(this.root, this.config, this.cache);
    if (this.report("mission", m.problems)) this.mission = m;
  }

  /** Shows problems once (and their clearing); true when there are no errors. */
  private report(source: "mission" | "config", problems: Problem[]): boolean {
    const key = problems.map(formatProblem).join("\n");
    if (key !== this.shown[source]) {
      if (problems.length) this.emit({ type: "problems", source, problems });
      else this.emit({ type: "problems-cleared", source });
      this.shown[source] = key;
    }
    return !problems.some((p) => p.severity === "error");
  }
}
