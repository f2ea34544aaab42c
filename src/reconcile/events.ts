// What the loop reports as it works: the CLI view renders these (live view, plain lines or --json).
import type { Failure, Problem } from "../util/index.js";
import type { Action } from "./actions.js";
import type { Phase } from "../store/index.js";
import type { Usage } from "../runtime/index.js";

/** One thing that happened in the loop. */
export type LoopEvent =
  | { type: "lease"; status: "waiting" | "acquired" | "lost" | "released"; holder?: string; token?: number }
  | { type: "pass"; pass: number; ms: number; actions: number; tasks: number }
  | { type: "action"; pass: number; action: Action }
  | { type: "phase"; task: string; from?: Phase; to: Phase; reason: string; message: string }
  /** `said`: the agent's last words (the last line of its final answer), on "ended". */
  | { type: "session"; task: string; status: "started" | "attached" | "ended"; role: string; attempt: number; sessionId: string; ok?: boolean; error?: string; said?: string }
  /** What the agent of a running session last said (the last line of a finished piece of text). */
  | { type: "said"; task: string; text: string }
  /** A session's or a review's figures, once in the history (the ledger store/spend.ts sums). */
  | { type: "spent"; task: string; role: string; attempt: number; tokens: number; costUsd: number }
  | { type: "usage"; task: string; usage: Usage; costUsd: number }
  | { type: "verify"; task: string; ok: boolean; command?: string; output?: string }
  | { type: "review"; task: string; approved: boolean; summary: string }
  /** A task's workspace was merged: its commit (none when it changed nothing), paths left as the person had them. */
  | { type: "merge"; task: string; sha?: string; kept: string[]; conflict?: string[] }
  | { type: "permission"; task: string; kind: string; decision: string }
  /** `held`: the errors hold only these tasks (their task files); the other tasks go on. */
  | { type: "problems"; problems: Problem[]; source: "mission" | "config" | "inbox" | "checkout"; held?: string[] }
  | { type: "problems-cleared"; source: "mission" | "config" | "inbox" | "checkout" }
  | { type: "config"; status: "reloaded" }
  | { type: "ids"; file: string; assigned: { line: number; id: string }[] }
  | { type: "error"; message: string; task?: string }
  | { type: "idle"; done: number; total: number }
  /** Said once at start when agents run unconfined (confinement.ts): why, and what still protects. */
  | { type: "sandbox"; confined: false; message: string }
  /** The command stopped on an error (said on stderr too): for --json readers, the last event. */
  | ({ type: "stopped" } & Failure);

/** Receives loop events. */
export type EventSink = (e: LoopEvent) => void;
