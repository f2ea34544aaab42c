// OpenCode 2's event stream (GET /api/event: `{ id, type, data }`) read as OpenCode 1's
// (`{ payload: { type, properties } }`), so that one watcher (session-run.ts) serves both versions.
// Only what a session watcher uses is translated; everything else is dropped here.

/** OpenCode 2 permission actions that OpenCode 1 (and orch's config) name differently. */
const V1_KIND: Record<string, string> = { shell: "bash", subagent: "task" };
/** The reverse: orch's (OpenCode 1's) permission kinds as OpenCode 2 names them. */
export const V2_ACTION: Record<string, string> = Object.fromEntries(Object.entries(V1_KIND).map(([v2, v1]) => [v1, v2]));

/** A permission action of OpenCode 2 as orch's config names it (`shell` → `bash`). */
function v1Kind(action: string): string {
  return V1_KIND[action] ?? action;
}

const ZERO_TOKENS = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } };

function ev(type: string, properties: Record<string, unknown>): unknown {
  return { payload: { type, properties } };
}

/** An assistant message's info as OpenCode 1's `message.updated` carries it. */
function assistant(sessionID: string, id: string, fields: Record<string, unknown>): unknown {
  return ev("message.updated", { info: { id, sessionID, role: "assistant", cost: 0, tokens: ZERO_TOKENS, time: {}, ...fields } });
}

/**
 * A translator for one connection. It remembers each tool call's name (OpenCode 2 names the tool
 * when the model starts writing its input, not when the call is made).
 */
export function v2Translator(): (raw: unknown) => unknown[] {
  const toolNames = new Map<string, string>();
  return (raw) => {
    const e = raw as { type?: unknown; created?: unknown; data?: Record<string, unknown> } | null;
    if (!e || typeof e.type !== "string" || !e.data || typeof e.data !== "object") return [];
    const d = e.data;
    const sessionID = d.sessionID;
    if (typeof sessionID !== "string") return [];
    const at = typeof e.created === "number" ? e.created : Date.now();
    const msg = typeof d.assistantMessageID === "string" ? d.assistantMessageID : "";
    switch (e.type) {
      case "session.execution.started":
        return [ev("session.status", { sessionID, status: { type: "busy" } })];
      case "session.execution.succeeded":
      case "session.execution.interrupted":
        return [ev("session.status", { sessionID, status: { type: "idle" } })];
      case "session.execution.failed":
        return [ev("session.error", { sessionID, error: d.error }), ev("session.status", { sessionID, status: { type: "idle" } })];
      case "session.retry.scheduled": {
        const err = (d.error ?? {}) as { message?: unknown; status?: unknown };
        return [ev("session.status", { sessionID, status: { type: "retry", message: String(err.message ?? "provider retry"), status: err.status } })];
      }
      case "session.step.started":
        return [assistant(sessionID, msg, {})];
      case "session.step.ended":
        return [assistant(sessionID, msg, { cost: d.cost ?? 0, tokens: d.tokens ?? ZERO_TOKENS, time: { completed: at } })];
      case "session.step.failed":
        return [assistant(sessionID, msg, { cost: d.cost ?? 0, tokens: d.tokens ?? ZERO_TOKENS, error: d.error, time: { completed: at } })];
      case "session.text.ended":
        return [ev("message.part.updated", { part: { type: "text", sessionID, messageID: msg, text: d.text, time: { end: at } } })];
      case "session.tool.input.started":
        if (typeof d.id === "string" && typeof d.name === "string") toolNames.set(d.id, d.name);
        return [];
      case "session.tool.called": {
        const name = typeof d.id === "string" ? toolNames.get(d.id) : undefined;
        if (!name) return [];
        // A call is made once: its name is not needed again, and a long watch's connection keeps no list of every call.
        toolNames.delete(d.id as string);
        return [ev("message.part.updated", { part: { type: "tool", sessionID, messageID: msg, callID: d.id, tool: name, state: { status: "running", input: d.input ?? {} } } })];
      }
      case "permission.asked":
        return [ev("permission.asked", { id: d.id, sessionID, permission: v1Kind(String(d.action)), patterns: d.resources ?? [], metadata: d.metadata ?? {} })];
      default:
        return [];
    }
  };
}
