// The worker/fixer/searcher prompt of an attempt: the role's template (runtime/roles.ts) rendered from
// the task, what its deps did (their review summaries), the context pack, the findings a fixer must
// address (with a searcher's, on the ladder's search rung), and a person's answer (its last rung).
import type { Role, TaskSpec } from "../spec/index.js";
import type { TaskStates } from "../store/index.js";
import { renderPrompt, workerInput } from "../runtime/index.js";

/** A context pack's text (undefined: empty) and the lookups that failed and were left out of it. */
export interface PackText {
  text?: string;
  warnings: string[];
}

/** What the prompt needs from the loop; `context` builds the task's context pack (undefined: none). */
export interface PromptSources {
  states: Pick<TaskStates, "read">;
  context?: (t: TaskSpec) => Promise<PackText | undefined>;
}

/** A rendered prompt, and what it lacks because building it failed (said in the task's history). */
export interface AttemptPrompt {
  prompt: string;
  missing: string[];
}

/** Renders the prompt; a failing context pack or dep record only leaves that part out, and says so. */
export async function attemptPrompt(src: PromptSources, t: TaskSpec, role: Role, findings: string | undefined): Promise<AttemptPrompt> {
  const missing: string[] = [];
  const why = (what: string) => (err: unknown) => void missing.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  const summaries: Record<string, string> = {};
  for (const d of t.deps) {
    const s = (await src.states.read(d).catch(why(`the review summary of ${d}`)))?.value;
    if (s?.lastReview?.summary) summaries[d] = s.lastReview.summary;
  }
  const pack = await src.context?.(t).catch(why("the context pack"));
  for (const w of pack?.warnings ?? []) missing.push(`part of the context pack (${w})`);
  // A person's answer (the ladder's last rung) goes into every attempt of the budget it started.
  const answer = (await src.states.read(t.id).catch(why("the person's answer")))?.value.answer?.text;
  const input = { ...workerInput(t, summaries, pack?.text), ...(answer ? { answer } : {}) };
  return { prompt: renderPrompt(role, findings ? { ...input, findings } : input), missing };
}
