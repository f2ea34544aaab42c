// Reading a structured answer out of a session's final text: the reviewer's verdict, the planner's
// plan. Models wrap JSON in a code fence or a sentence; the object itself is what counts.
import type { z } from "zod";

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
