// What the planner is shown of the repository before it reads anything itself: its files (capped,
// folded into folders when there are many) and the context pack of the goal (what it names: paths,
// identifiers, their definitions and references), through orch's code tools.
import type { Mission, TaskSpec } from "../spec/index.js";
import { buildContextPack, openCodeTools } from "../context/index.js";

/** Paths listed one by one; above this, files are counted per folder. */
const MAX_PATHS = 300;

/** The file listing: every path, or per top folders with counts when there are too many. */
function fileListing(paths: readonly string[]): string {
  if (paths.length <= MAX_PATHS) return paths.join("\n");
  const byDir = new Map<string, number>();
  for (const p of paths) {
    const dir = p.split("/").slice(0, 2).join("/");
    byDir.set(dir, (byDir.get(dir) ?? 0) + 1);
  }
  return [...byDir].map(([d, n]) => (n === 1 ? d : `${d}/ (${n} files)`)).join("\n");
}

/** The planner's context: the repository's files, then the goal's context pack (`tokenBudget`: config.context.tokenBudget). */
export async function planContext(root: string, mission: Mission, goal: string, opts: { tokenBudget: number; pool?: number }): Promise<string> {
  const tools = await openCodeTools(root, { pool: opts.pool ?? 1 });
  try {
    const paths = (await tools.glob([])).paths.filter((p) => !p.startsWith(".orchestrator/"));
    // The goal as a task with no scope: the pack follows what its text names.
    const goalTask = { id: "PLAN0", title: goal.split("\n")[0]!, body: goal, files: [], deps: [], children: [], headings: [], checked: false, priority: 0, verify: [], budget: {}, suspend: false, line: 0, col: 0, generation: "" } satisfies TaskSpec;
    const pack = await buildContextPack(goalTask, mission, tools, { tokenBudget: opts.tokenBudget });
    // The pack's own title names the stand-in task; the prompt's heading says what it is.
    const packText = pack.text.replace(/^# Context for [^\n]*\n+/, "").trim();
    return [`### Files (${paths.length})\n\n${fileListing(paths)}`, packText].filter(Boolean).join("\n\n");
  } finally {
    await tools.close();
  }
}
