// The context packs of worker prompts (context/pack.ts) and the code tools they look things up with,
// opened on first use (or early, while the loop takes its lease) and closed when the loop stops.
import type { Config, Mission, TaskSpec } from "../spec/index.js";
import { buildContextPack, packNeedsTools, openCodeTools } from "../context/index.js";
import type { PackText } from "./prompt.js";

/** Builds context packs for one repository; owns the code tools they use. */
export class ContextPacks {
  private tools: ReturnType<typeof openCodeTools> | undefined;

  constructor(
    private readonly root: string,
    private readonly config: () => Config,
  ) {}

  /** Starts the code tools now when an open task's pack will look things up (they take a moment to start). */
  warm(mission: Mission | undefined): void {
    if (mission?.tasks.some((t) => !t.checked && packNeedsTools(t))) void this.codeTools().catch(() => {}); // a warm-up: a failure shows when a pack needs the tools
  }

  /** The task's context pack (text undefined when it has nothing to say), and the lookups left out of it (said in the task's history). */
  async packFor(t: TaskSpec, mission: Mission | undefined): Promise<PackText | undefined> {
    if (!mission) return undefined;
    const pack = await buildContextPack(t, mission, () => this.codeTools(), { tokenBudget: this.config().context.tokenBudget });
    return { text: pack.text.trim() || undefined, warnings: pack.warnings };
  }

  /** Closes the code tools if they were opened. */
  async close(): Promise<void> {
    await this.tools?.then((t) => t.close()).catch(() => {}); // stopping: tools that failed to open or close hold nothing
  }

  /** The code tools (orch-native pool or fallback), opened on first use. */
  private codeTools(): ReturnType<typeof openCodeTools> {
    return (this.tools ??= openCodeTools(this.root, { pool: this.config().context.nativePool }));
  }
}
