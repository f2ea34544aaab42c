// What the reconciler needs from an agent backend. OpenCode implements it (runtime/opencode);
// test/support has an in-process fake for unit tests and benchmarks only.
import type { Role } from "../spec/index.js";
import { z } from "zod";

/** Tokens of a session or a total, by kind. */
export const UsageSchema = z
  .object({
    input: z.number().nonnegative().default(0),
    output: z.number().nonnegative().default(0),
    reasoning: z.number().nonnegative().default(0),
    cacheRead: z.number().nonnegative().default(0),
    cacheWrite: z.number().nonnegative().default(0),
  })
  .strict();
export type Usage = z.infer<typeof UsageSchema>;

/** No tokens, no cost: the start of every total (frozen; spread it to get a mutable copy). */
export const ZERO_USAGE: Readonly<Usage> = Object.freeze({ input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 });

export interface SessionRequest {
  taskId: string;
  attempt: number;
  role: Role;
  /** Working directory of the task: every request carries it. */
  directory: string;
  /** "provider/model"; absent: the server's own default model (a --server with no models.default). */
  model?: string;
  /** OpenCode agent name (defaults to the role). */
  agent?: string;
  title: string;
  /** Rendered prompt text. */
  prompt: string;
  /** Continue this existing session (e.g. a reviewer re-prompt) instead of creating one. */
  sessionId?: string;
  /** Gives up (abort + error "timeout") after this long; default: the runtime's. */
  timeoutMs?: number;
  /** The task's approval setting; permissions are decided from it and the config's policy. */
  approval?: import("../spec/model.js").ApprovalPolicy;
}

export interface PermissionRequest {
  id: string;
  sessionId: string;
  /** OpenCode permission kind: edit, bash, webfetch, external_directory, … */
  kind: string;
  /** Human-readable detail (command, path patterns). */
  detail: string;
}

export type PermissionReply = "once" | "always" | "reject";

export type SessionEvent =
  | { type: "progress"; sessionId: string; at: number }
  /** Running totals of this session so far (not deltas): replace, do not add. */
  | { type: "usage"; sessionId: string; usage: Usage; costUsd: number }
  | { type: "permission"; request: PermissionRequest }
  /** The agent finished a piece of text (its words so far, for a person watching; not the result). */
  | { type: "said"; sessionId: string; text: string };

export interface SessionError {
  /** Stable code: "rate-limited", "model-error", "server-down", "aborted", "timeout", "not-started", … */
  code: string;
  message: string;
  /** Retrying cannot help (e.g. bad credentials, unknown model). */
  terminal: boolean;
  /** A backend/infrastructure failure: counts toward the circuit breaker. */
  infrastructure: boolean;
  /**
   * The session could not start because the OpenCode server could not be reached (its health check
   * failed): an outage, not the task's failure. An attempt none of whose sessions ran is then not
   * charged (reconcile/attempt.ts).
   */
  unreachable?: boolean;
}

export interface SessionResult {
  sessionId: string;
  ok: boolean;
  /** The final assistant text. */
  text: string;
  usage: Usage;
  costUsd: number;
  error?: SessionError;
}

export interface SessionHandle {
  sessionId: string;
  /** No session was made on the server (unreachable, the create refused, or orch closing): `done` holds why. */
  unstarted?: boolean;
  done: Promise<SessionResult>;
  abort(): Promise<void>;
  replyPermission(requestId: string, reply: PermissionReply): Promise<void>;
}

export interface AgentRuntime {
  /** Backend name for the circuit breaker and logs, e.g. "opencode@http://127.0.0.1:4096". */
  readonly backend: string;
  start(req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle>;
  /** Re-attaches to a session that may still run after an orch restart; undefined if it is gone. */
  attach(sessionId: string, req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle | undefined>;
  close(): Promise<void>;
}
