// The demo model's behaviour: a worker (or fixer) writes each file of the task's scope from a
// folder of known solutions, using OpenCode's write tool; a task it has no solution for it cannot
// do, and says so. Its reviewer reads the diff it is given: an empty one is rejected, any other
// approved. A stand-in for a real model, so `orch run --demo` can be shown end to end offline.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../util/index.js";
import { roleOf } from "./script.js";
import type { ModelRequest, Reply, Script, ToolCall } from "./scripted-model.js";

/** The example mission's solutions shipped with orch. */
export const EXAMPLE_SOLUTIONS = path.join(packageRoot(), "examples", "solutions", "hello-mission");

/** Files listed in the prompt's scope section ("- path" lines under a "## Scope" heading). */
function scopeFiles(prompt: string): string[] {
  const m = /^## Scope[^\n]*\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(prompt);
  if (!m) return [];
  return m[1]!
    .split("\n")
    .map((l) => /^\s*-\s+`?([^`\s]+)`?\s*$/.exec(l)?.[1])
    .filter((f): f is string => !!f && !/[*?[]/.test(f));
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
export function demoScript(solutionDirs: string[] = [EXAMPLE_SOLUTIONS]): Script {
  const find = (rel: string) => solutionDirs.map((d) => path.join(d, rel)).find((p) => existsSync(p));
  return (req): Reply => {
    const role = roleOf(req);
    if (req.tools.length === 0) return { kind: "text", text: "orch demo session" };
    const prompt = taskPrompt(req);
    const id = taskIdOf(prompt) ?? "the task";
    if (role === "reviewer") {
      return { kind: "text", text: JSON.stringify(demoVerdict(id, prompt)) };
    }
    if (role === "worker" || role === "fixer") {
      const files = scopeFiles(prompt);
      if (req.lastTool !== undefined) return { kind: "text", text: `Demo model: wrote ${files.join(", ")} for ${id}.` };
      const calls: ToolCall[] = files.flatMap((f) => {
        const src = find(f);
        return src ? [{ name: "write", args: { filePath: path.join(req.directory ?? ".", f), content: readFileSync(src, "utf8") } }] : [];
      });
      // No script for this task: the demo model cannot do it, and writes nothing (its reviewer then rejects the empty diff).
      if (calls.length === 0) return { kind: "text", text: `Demo model: I cannot do ${id}: there is no scripted solution for ${files.join(", ") || "a task without a scope"}. Nothing was written.` };
      return { kind: "tools", calls };
    }
    return { kind: "text", text: `Demo model (${role ?? "unknown role"}): nothing to do.` };
  };
}
