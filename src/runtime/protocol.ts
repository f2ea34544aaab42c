// What differs between OpenCode major versions, behind one small interface: how a session is
// created, prompted, watched, aborted and answered, and how the event stream reads. Everything
// else (watching a prompt to its end, permissions policy, approvals, roles, confinement, errors)
// is shared: session-run.ts and opencode.ts see only this.
import type { PermissionPolicy } from "./permissions.js";
import type { PermissionReply, SessionError, SessionRequest } from "./types.js";

/** The OpenCode server versions orch speaks. */
export type RuntimeVersion = "opencode1" | "opencode2";

/**
 * A message as session-run reads it (OpenCode 1's shape; OpenCode 2's are translated to it):
 * `info` has id, role and, for an assistant, cost, tokens, error and time.completed; `parts`
 * are text and tool parts.
 */
export interface MessageRecord {
  info: { id: string; role: string; [k: string]: unknown };
  parts: Array<{ type: string; [k: string]: unknown }>;
}

/** The calls a session needs on one server (its URL and credentials are bound in). */
export interface SessionOps {
  /** Creates a session for the request (its folder, title, role, model and permission rules); its id. */
  create(req: SessionRequest, signal: AbortSignal): Promise<string>;
  /** Sends the prompt without waiting for the turn; an error when the server refused it. */
  prompt(sessionId: string, req: SessionRequest): Promise<SessionError | undefined>;
  /** Whether the server says the session is running a turn. */
  busy(sessionId: string, directory: string): Promise<boolean>;
  /** The session's messages, oldest first; undefined when they cannot be read. */
  messages(sessionId: string, directory: string): Promise<MessageRecord[] | undefined>;
  abort(sessionId: string, directory: string): Promise<void>;
  reply(sessionId: string, requestId: string, reply: PermissionReply, directory: string): Promise<void>;
  /** Whether the server still has the session (false when it answers "not found"). */
  exists(sessionId: string, directory: string): Promise<boolean>;
}

/** Where a runtime's calls go and what it knows of them. */
interface OpsTarget {
  baseUrl: string;
  headers: Record<string, string>;
  /** An owned server knows orch's agents; an external one gets the role prompt with each session. */
  owned: boolean;
  policy: PermissionPolicy;
}

/** One OpenCode major version's protocol. */
export interface Protocol {
  readonly version: RuntimeVersion;
  ops(target: OpsTarget): SessionOps;
  /** Path of the global event stream. */
  readonly eventPath: string;
  /**
   * A fresh translator for one stream connection (it may keep state, e.g. a tool's name by call
   * id): raw event JSON → zero or more events in OpenCode 1's `{ payload: { type, properties } }` shape.
   */
  translator(): (raw: unknown) => unknown[];
}
