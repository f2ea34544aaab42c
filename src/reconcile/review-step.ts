// The one place the reconciler calls the reviewer (runtime/review.ts): builds the diff the reviewer judges.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Config } from "../spec/config.js";
import type { TaskSpec } from "../spec/model.js";
import type { AgentRuntime, SessionEvent } from "../runtime/types.js";
import { runReview, type ReviewOutcome } from "../runtime/review.js";
import { routeModel } from "../runtime/roles.js";

const run = promisify(execFile);

/** The working-tree diff against HEAD plus new files (empty outside a git repository). */
export async function workingDiff(dir: string): Promise<string> {
  try {
    const diff = await run("git", ["diff", "HEAD", "--no-color", "--", ".", ":(exclude).orchestrator"], { cwd: dir, maxBuffer: 16 << 20 });
    const untracked = await run("git", ["ls-files", "--others", "--exclude-standard", "--", ".", ":(exclude).orchestrator"], { cwd: dir });
    const added = untracked.stdout.split("\n").filter(Boolean).map((f) => `new file: ${f}`).join("\n");
    return [diff.stdout, added].filter(Boolean).join("\n");
  } catch {
    return "";
  }
}

/** Runs the review of one attempt's result. */
export async function reviewAttempt(
  runtime: AgentRuntime,
  config: Config,
  t: TaskSpec,
  directory: string,
  attempt: number,
  onEvent: (e: SessionEvent) => void,
): Promise<ReviewOutcome> {
  const diff = await workingDiff(directory);
  return runReview(
    runtime,
    { task: { id: t.id, title: t.title, body: t.body }, diff, directory, attempt, model: routeModel(config, t, "reviewer"), approval: t.approval, onEvent },
    config.review.maxInvalidVerdicts,
  );
}
