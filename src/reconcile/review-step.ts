// The one place the reconciler calls the reviewer (runtime/review.ts), with the attempt's diff (diff.ts).
import type { Config, TaskSpec } from "../spec/index.js";
import type { AgentRuntime, SessionEvent } from "../runtime/index.js";
import { runReview, type ReviewOutcome, routeModel } from "../runtime/index.js";
import type { AttemptDiff } from "./diff.js";

/** Runs the review of one attempt's result; a diff orch cannot know (no git repository) is said as such. */
export async function reviewAttempt(
  runtime: AgentRuntime,
  config: Config,
  t: TaskSpec,
  directory: string,
  attempt: number,
  diff: AttemptDiff,
  onEvent: (e: SessionEvent) => void,
): Promise<ReviewOutcome> {
  const text = diff.known ? diff.text : `(no diff: ${diff.why}; read the files in the working directory)`;
  return runReview(
    runtime,
    { task: { id: t.id, title: t.title, body: t.body }, diff: text, directory, attempt, model: routeModel(config, t, "reviewer"), approval: t.approval, onEvent },
    config.review.maxInvalidVerdicts,
  );
}
