// Scripts as data, for tests and benchmarks: an ordered list of steps, each matched on the request,
// and shorthands for replies. A test describes a model's behaviour this way instead of writing
// request-parsing code each time. (orch itself runs only the demo's script: src/demo/demo-script.ts.)
import { roleOf } from "../../src/demo/script.js";
import type { ModelRequest, Reply, Script, ToolCall } from "../../src/demo/scripted-model.js";

/** Shorthands for replies. */
export const reply = {
  text: (text: string, extra: Pick<Extract<Reply, { kind: "text" }>, "delayMs" | "usage"> = {}): Reply => ({ kind: "text", text, ...extra }),
  tools: (...calls: ToolCall[]): Reply => ({ kind: "tools", calls }),
  write: (filePath: string, content: string): Reply => ({ kind: "tools", calls: [{ name: "write", args: { filePath, content } }] }),
  bash: (command: string): Reply => ({ kind: "tools", calls: [{ name: "bash", args: { command, description: "run a command" } }] }),
  error: (status: number, body = `{"error":{"message":"scripted ${status}"}}`): Reply => ({ kind: "http-error", status, body }),
  garbage: (body = "data: {not json at all\n\n"): Reply => ({ kind: "garbage", body }),
  hang: (): Reply => ({ kind: "hang" }),
};

/** A condition on a request; every given field must hold. */
interface Match {
  role?: string;
  /** Substring or pattern of the last user message. */
  user?: string | RegExp;
  /** Substring or pattern of the last tool result (implies the last message is a tool result). */
  tool?: string | RegExp;
  /** Exact assistant-turn count. */
  turn?: number;
  /** Substring of the working directory. */
  directory?: string;
}

/** One step: when it matches (and has uses left), it answers. */
interface Step {
  when?: Match | ((req: ModelRequest) => boolean);
  reply: Reply | ((req: ModelRequest) => Reply | Promise<Reply>);
  /** How many times this step may answer; unlimited when absent. */
  times?: number;
}

function test(p: string | RegExp, s: string | undefined): boolean {
  if (s === undefined) return false;
  return typeof p === "string" ? s.includes(p) : p.test(s);
}

/** True when the request satisfies the match. */
function matches(m: Match, req: ModelRequest): boolean {
  if (m.role !== undefined && roleOf(req) !== m.role) return false;
  if (m.user !== undefined && !test(m.user, req.lastUser)) return false;
  if (m.tool !== undefined && !test(m.tool, req.lastTool)) return false;
  if (m.turn !== undefined && req.turn !== m.turn) return false;
  if (m.directory !== undefined && !test(m.directory, req.directory)) return false;
  return true;
}

/**
 * A script from steps: the first matching step with uses left answers. OpenCode's tool-less
 * helper calls (session titles) get a short title unless a step matches them explicitly;
 * anything else unmatched gets `fallback` (default: a plain "done").
 */
export function steps(list: Step[], fallback: Reply = { kind: "text", text: "done" }): Script {
  const used = list.map(() => 0);
  return async (req) => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.times !== undefined && used[i]! >= s.times) continue;
      const ok = s.when === undefined ? true : typeof s.when === "function" ? s.when(req) : matches(s.when, req);
      if (!ok) continue;
      used[i]!++;
      return typeof s.reply === "function" ? s.reply(req) : s.reply;
    }
    if (req.tools.length === 0) return { kind: "text", text: "Scripted session" };
    return fallback;
  };
}
