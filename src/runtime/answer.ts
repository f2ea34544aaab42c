// Structured answers: the reviewer's verdict, the planner's plan. Models wrap JSON in a code fence or
// a sentence; the object itself is what counts. An answer that does not validate is sent back in the
// same session with its errors, a bounded number of times (askUntilValid, the one loop both use).
import type { z } from "zod";
import { ZERO_USAGE, type AgentRuntime, type SessionError, type SessionEvent, type SessionRequest, type Usage } from "./types.js";

/** Pulls the JSON object out of a model answer (tolerates a code fence or a sentence around it). */
export function extractJson(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) throw new Error("no JSON object found");
  return JSON.parse(text.slice(start, end + 1));
}

/** A validation error as one readable line per issue ("tasks.2.verify: give at least one verify command"). */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
}

/** What a structured-answer session spent. */
export interface AnswerSpend {
  sessionId: string;
  usage: Usage;
  costUsd: number;
  /** Answers that did not validate before the outcome. */
  invalid: number;
}

/** The valid answer; or the session failed (`error`); or the last of too many invalid answers (`errors`). */
export type AnswerOutcome<T, E> =
  | ({ ok: true; value: T } & AnswerSpend)
  | ({ ok: false; error?: SessionError; lastOutput: string } & AnswerSpend)
  | ({ ok: false; errors: E; lastOutput: string } & AnswerSpend);

/** How to ask: the session (its first prompt included), how to read an answer, how to ask again. */
export interface AnswerAsk<T, E> {
  session: SessionRequest;
  read: (text: string) => { value: T } | { errors: E };
  /** Re-prompts after an invalid answer; past it, the outcome carries the last errors. */
  maxInvalid: number;
  reprompt: (errors: E) => string;
  onEvent?: (e: SessionEvent) => void;
}

/** Runs one session until its answer validates, it fails, or `maxInvalid` re-prompts are used. */
export async function askUntilValid<T, E>(runtime: AgentRuntime, ask: AnswerAsk<T, E>): Promise<AnswerOutcome<T, E>> {
  const spent: AnswerSpend = { sessionId: "", usage: { ...ZERO_USAGE }, costUsd: 0, invalid: 0 };
  let prompt = ask.session.prompt;
  for (;;) {
    const handle = await runtime.start({ ...ask.session, prompt, ...(spent.sessionId ? { sessionId: spent.sessionId } : {}) }, ask.onEvent ?? (() => {}));
    const res = await handle.done;
    spent.sessionId = res.sessionId;
    for (const k of Object.keys(spent.usage) as Array<keyof Usage>) spent.usage[k] += res.usage[k];
    spent.costUsd += res.costUsd;
    if (!res.ok) return { ok: false, ...(res.error ? { error: res.error } : {}), lastOutput: res.text, ...spent };
    const answer = ask.read(res.text);
    if ("value" in answer) return { ok: true, value: answer.value, ...spent };
    if (spent.invalid >= ask.maxInvalid) return { ok: false, errors: answer.errors, lastOutput: res.text, ...spent };
    spent.invalid++;
    prompt = ask.reprompt(answer.errors);
  }
}
