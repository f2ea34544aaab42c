// Circuit breaker per backend: N consecutive infrastructure failures open it; after a cooldown one probe
// session is let through (half-open); a success closes it, a failure re-opens it.
import type { Config } from "../spec/index.js";

/** Breaker state as a plain value; the loop keeps one per backend. */
export interface BreakerState {
  status: "closed" | "open" | "half-open";
  /** Consecutive infrastructure failures. */
  failures: number;
  /** When it last opened (ms). */
  openedAt?: number;
  /** True while the half-open probe session runs. */
  probing: boolean;
}

/** A closed breaker. */
export const CLOSED: BreakerState = { status: "closed", failures: 0, probing: false };

/** The breaker as seen at `now`: an open breaker past its cooldown reads as half-open. */
export function breakerAt(b: BreakerState, now: number, cfg: Config["circuitBreaker"]): BreakerState {
  if (b.status === "open" && b.openedAt !== undefined && now - b.openedAt >= cfg.cooldownSec * 1000) {
    return { ...b, status: "half-open", probing: false };
  }
  return b;
}

/** How many sessions may start now: unlimited when closed, one probe when half-open, none when open. */
export function breakerAllowance(b: BreakerState): number {
  if (b.status === "closed") return Number.POSITIVE_INFINITY;
  if (b.status === "half-open") return b.probing ? 0 : 1;
  return 0;
}

/** Milliseconds until an open breaker lets a probe through (undefined when not open). */
export function breakerWaitMs(b: BreakerState, now: number, cfg: Config["circuitBreaker"]): number | undefined {
  if (b.status !== "open" || b.openedAt === undefined) return undefined;
  return Math.max(0, b.openedAt + cfg.cooldownSec * 1000 - now);
}

/** Marks that a session started; in half-open that session is the probe. */
export function breakerOnStart(b: BreakerState): BreakerState {
  return b.status === "half-open" ? { ...b, probing: true } : b;
}

/** Folds one session outcome into the breaker. Non-infrastructure failures say nothing about the backend. */
export function breakerOnResult(
  b: BreakerState,
  outcome: "ok" | "infrastructure" | "other",
  now: number,
  cfg: Config["circuitBreaker"],
): BreakerState {
  if (outcome === "ok") return CLOSED;
  if (outcome === "other") return b.status === "half-open" ? { ...b, probing: false } : b;
  const failures = b.failures + 1;
  if (b.status === "half-open" || failures >= cfg.failures) return { status: "open", failures, openedAt: now, probing: false };
  return { ...b, failures };
}
