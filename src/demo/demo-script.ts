// The demo model's behaviour: a worker (or fixer) writes each file of the task's scope from a
// folder of known solutions, using OpenCode's write tool; a task it has no solution for it cannot
// do, and says so. Its reviewer reads the diff it is given: an empty one is rejected, any other
// approved. For the ladder's example (examples/ladder-mission): it gives up on a task whose body
// says "orch-demo: too big for one session", and its planner answers a split from `plans/<id>.json`;
// a task whose body says "orch-demo: needs a person's answer" it asks about, and once its prompt
// carries a person's answer it writes the files of `answered/`. A stand-in for a real model, so
// `orch run --demo` can be shown end to end offline.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../util/index.js";
import { roleOf } from "./script.js";
import type { ModelRequest, Reply, Script, ToolCall } from "./scripted-model.js";

/** The example missions' solutions shipped with orch (hello-mission, ladder-mission). */
export const EXAMPLE_SOLUTIONS = ["hello-mission", "ladder-mission"].map((m) => path.join(packageRoot(), "examples", "solutions", m));

/** Files listed in the prompt's scope section ("- path" lines under a "## Scope" heading). */
function scopeFiles(prompt: string): string[] {
  const m = /^## Scope[^\n]*\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(prompt);
  if (!m) return [];
  return m[1]!
    .split("\n")
    .map((l) => /^\s*-\s+`?([^`\s]+)`?\s*$/.exec(l)?.[1])
    .filter((f): f is string => !!f && !/[*?[]/.test(f));
}

/** The id of the task a planner is asked to split (the "## The task to split" section of its prompt). */
function splitTaskOf(prompt: string): string | undefined {
  return /^## The task to split\s*\n+([A-Za-z][\w-]*)/m.exec(prompt)?.[1];
}

/** The task id of a "# Task T3: …" / "# Fix task T3: …" / "# Review task T3: …" prompt. */
function taskIdOf(prompt: string): string | undefined {
  return /^# (?:Fix task|Review task|Task) ([A-Za-z][\w-]*)/m.exec(prompt)?.[1];
}

/** The diff of a reviewer prompt (the fenced block under "## Diff"); "" when it is empty. */
function reviewDiff(prompt: string): string {
  const m = /^## Diff\s*\n+```diff\n([\s\S]*?)\n```/m.exec(prompt);
  const diff = m?.[1]?.trim() ?? "";
  return diff === "(empty diff)" ? "" : diff;
}

/** Files a diff touches: "diff --git a/x b/x" lines, and the "new file: x" lines orch adds for untracked files. */
function diffFiles(diff: string): string[] {
  return [...diff.matchAll(/^(?:diff --git a\/(\S+) b\/|new file: (\S+)$)/gm)].map((m) => m[1] ?? m[2]!);
}

/** The demo reviewer's verdict: it approves a change and rejects the absence of one. */
function demoVerdict(id: string, prompt: string): { approved: boolean; summary: string; findings: string[] } {
  const diff = reviewDiff(prompt);
  if (!diff) return { approved: false, summary: `Demo review of ${id}: the diff is empty, nothing was done.`, findings: ["The task changed no file."] };
  const files = diffFiles(diff);
  return { approved: true, summary: `Demo review of ${id}: the diff changes ${files.join(", ") || "the working tree"}.`, findings: [] };
}

/** The first user message of the conversation (the task prompt; later ones are tool results or re-prompts). */
function taskPrompt(req: ModelRequest): string {
  const first = req.messages.find((m) => m.role === "user");
  const c = first?.content;
  return typeof c === "string" ? c : Array.isArray(c) ? c.map((p) => (p as { text?: string }).text ?? "").join("") : req.lastUser;
}

/** The demo script over one or more solution folders (the first that has a file wins). */
export function demoScript(solutionDirs: string[] = EXAMPLE_SOLUTIONS): Script {
  const find = (rel: string) => solutionDirs.map((d) => path.join(d, rel)).find((p) => existsSync(p));
  return (req): Reply => {
    const role = roleOf(req);
    if (req.tools.length === 0) return { kind: "text", text: "orch demo session" };
    const prompt = taskPrompt(req);
    const id = taskIdOf(prompt) ?? "the task";
    if (role === "reviewer") {
      return { kind: "text", text: JSON.stringify(demoVerdict(id, prompt)) };
    }
    if (role === "planner") {
      const plan = find(`plans/${splitTaskOf(prompt) ?? id}.json`);
      return { kind: "text", text: plan ? readFileSync(plan, "utf8") : `Demo model: no plan for ${id}.` };
    }
    if (role === "worker" || role === "fixer") {
      const files = scopeFiles(prompt);
      if (req.lastTool !== undefined) return { kind: "text", text: `Demo model: wrote ${files.join(", ")} for ${id}.` };
      if (prompt.includes("orch-demo: too big for one session")) return { kind: "text", text: `Demo model: ${id} is too big for one session; nothing was written.` };
      // Told the answer, it writes the answered solution; not told, it asks.
      const answered = prompt.includes("## A person's answer");
      if (prompt.includes("orch-demo: needs a person's answer") && !answered) return { kind: "text", text: `Demo model: I cannot tell which language the user speaks; nothing was written.\nQuestion: which language should ${id} greet the user in?` };
      const calls: ToolCall[] = files.flatMap((f) => {
        const src = (answered && find(`answered/${f}`)) || find(f);
        return src ? [{ name: "write", args: { filePath: path.join(req.directory ?? ".", f), content: readFileSync(src, "utf8") } }] : [];
      });
      // No script for this task: the demo model cannot do it, and writes nothing (its reviewer then rejects the empty diff).
      if (calls.length === 0) return { kind: "text", text: `Demo model: I cannot do ${id}: there is no scripted solution for ${files.join(", ") || "a task without a scope"}. Nothing was written.` };
      return { kind: "tools", calls };
    }
    return { kind: "text", text: `Demo model (${role ?? "unknown role"}): nothing to do.` };
  };
}
