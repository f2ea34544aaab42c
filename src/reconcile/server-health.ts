// What the loop knows of the OpenCode server: the circuit breaker (breaker.ts, pure) fed by session
// outcomes, and whether the last failure that fed it was a session that could not start at all.
import type { Config } from "../spec/index.js";
import type { SessionError } from "../runtime/index.js";
import { breakerAt, breakerOnResult, breakerOnStart, CLOSED, type BreakerState } from "./breaker.js";

/** The breaker and the server's last word, kept across passes. */
export class ServerHealth {
  private b: BreakerState = CLOSED;
  /** The error of the last session outcome when that session found the server unreachable. */
  private unreachable: SessionError | undefined;

  constructor(private readonly cfg: () => Config["circuitBreaker"]) {}

  /** The breaker as seen at `now` (kept: an open breaker past its cooldown stays half-open). */
  breakerAt(now: number): BreakerState {
    return (this.b = breakerAt(this.b, now, this.cfg()));
  }

  /** A session started (in half-open, the probe). */
  started(): void {
    this.b = breakerOnStart(this.b);
  }

  /**
   * Folds a session's outcome in. Returns the unreachable server's error when this outcome opened
   * the breaker (a watcher says so once, as it starts waiting).
   */
  outcome(o: "ok" | "infrastructure" | "other", error: SessionError | undefined, now: number): SessionError | undefined {
    const before = breakerAt(this.b, now, this.cfg());
    this.b = breakerOnResult(before, o, now, this.cfg());
    // The latest word on the server: any session that ran (ok or not) answers for it.
    this.unreachable = o === "infrastructure" && error?.unreachable ? error : undefined;
    return before.status === "closed" && this.b.status === "open" ? this.unreachable : undefined;
  }

  /** The unreachable server's error while the breaker is open on it (undefined otherwise). */
  unreachableAt(now: number): SessionError | undefined {
    if (this.unreachable === undefined) return undefined;
    return breakerAt(this.b, now, this.cfg()).status === "open" ? this.unreachable : undefined;
  }
}

/** How an unreachable server or provider is said: a provider's error names it already. */
export function unreachableText(error: SessionError): string {
  return error.code === "provider-unreachable" ? error.message : `the OpenCode server cannot be reached (${error.message})`;
}
