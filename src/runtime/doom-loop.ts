// Doom-loop detection: the same tool call (same tool, same input) made `limit` times in a row in one
// session. OpenCode's own `doom_loop` permission only sees three identical calls within one model
// reply; a cheap model that repeats a call once per reply escapes it and runs to the session timeout.
// This counts across replies. Only calls in a row count: a worker's ordinary cycle (edit, then the same
// `npm test`, again and again) is progress, not a loop. Pure (fed by session-run.ts); see docs/RUNTIME.md.

/** A tool call as the event stream shows it (a `tool` part). */
export interface ToolCallSeen {
  callId: string;
  tool: string;
  input: unknown;
}

/** The call repeated `limit` times, when the session is in a doom loop. */
export interface DoomLoop {
  tool: string;
  /** The input as compact JSON, cut to 200 characters (for the error and the fixer's prompt). */
  input: string;
  count: number;
}

/** Counts identical calls in a row in one session; each call (by its id) counts once, however many updates it gets. */
export class DoomLoopCounter {
  private last = "";
  private count = 0;
  private readonly seen = new Set<string>();

  constructor(readonly limit: number) {}

  /** Counts `call`; returns the loop once a call reaches the limit (and on each repeat after). */
  see(call: ToolCallSeen): DoomLoop | undefined {
    if (this.seen.has(call.callId)) return undefined;
    this.seen.add(call.callId);
    const input = stableJson(call.input);
    const key = `${call.tool}\u0000${input}`;
    this.count = key === this.last ? this.count + 1 : 1;
    this.last = key;
    const count = this.count;
    return count >= this.limit ? { tool: call.tool, input: input.length > 200 ? `${input.slice(0, 199)}…` : input, count } : undefined;
  }
}

/** The tool call in a `message.part.updated` part, once its input is known (not while `pending`). */
export function toolCallOf(part: unknown): ToolCallSeen | undefined {
  const p = part as { type?: unknown; callID?: unknown; id?: unknown; tool?: unknown; state?: { status?: unknown; input?: unknown } } | null;
  if (!p || p.type !== "tool" || typeof p.tool !== "string" || !p.state || p.state.status === "pending") return undefined;
  const callId = typeof p.callID === "string" ? p.callID : typeof p.id === "string" ? p.id : undefined;
  return callId === undefined ? undefined : { callId, tool: p.tool, input: p.state.input ?? {} };
}

/** The words the error and the fixer's prompt use for a loop. */
export function doomLoopText(d: DoomLoop): string {
  return `the agent repeated the same ${d.tool} call ${d.count} times (input ${d.input}); the session was stopped`;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same call. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  ) ?? "null";
}
