// The demo model's behaviour: a worker (or fixer) writes each file of the task's scope from a
// folder of known solutions, using OpenCode's write tool; a reviewer approves with a JSON
// verdict. It is a stand-in for a real model, so `orch run` can be shown end to end offline.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../util/package-root.js";
import { roleOf } from "./script.js";
import type { ModelRequest, Reply, Script, ToolCall } from "./scripted-model.js";

/** The example mission's solutions shipped with orch. */
export const EXAMPLE_SOLUTIONS = path.join(packageRoot(), "examples", "solutions", "hello-mission");

/** Files listed in the prompt's scope section ("- path" lines under a "## Scope" heading). */
export function scopeFiles(prompt: string): string[] {
  const m = /^## Scope[^\n]*\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(prompt);
  if (!m) return [];
  return m[1]!
    .split("\n")
    .map((l) => /^\s*-\s+`?([^`\s]+)`?\s*$/.exec(l)?.[1])
    .filter((f): f is string => !!f && !/[*?[]/.test(f));
}

/** The task id of a "# Task T3: …" / "# Fix task T3: …" / "# Review task T3: …" prompt. */
export function taskIdOf(prompt: string): string | undefined {
  return /^# (?:Fix task|Review task|Task) ([A-Za-z][\w-]*)/m.exec(prompt)?.[1];
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
      return { kind: "text", text: JSON.stringify({ approved: true, summary: `Demo review of ${id}: the verify commands passed and the diff stays in scope.`, findings: [] }) };
    }
    if (role === "worker" || role === "fixer") {
      const files = scopeFiles(prompt);
      if (req.lastTool !== undefined) return { kind: "text", text: `Demo model: wrote ${files.join(", ")} for ${id}.` };
      const calls: ToolCall[] = files.flatMap((f) => {
        const src = find(f);
        return src ? [{ name: "write", args: { filePath: path.join(req.directory ?? ".", f), content: readFileSync(src, "utf8") } }] : [];
      });
      if (calls.length === 0) return { kind: "text", text: `Demo model: no known solution for ${files.join(", ") || "an empty scope"} of ${id}; nothing written.` };
      return { kind: "tools", calls };
    }
    return { kind: "text", text: `Demo model (${role ?? "unknown role"}): nothing to do.` };
  };
}
