// Retry delay: exponential from baseMs, capped at maxMs, spread by ±jitter so retries of many tasks do not align.
import type { Config } from "../spec/index.js";

/**
 * Delay before retry number `failures` (1 = after the first failure). `rand` in [0,1) is passed in
 * so the function stays pure; the executor passes Math.random.
 */
export function backoffMs(failures: number, retry: Config["retry"], rand: number): number {
  const exp = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, failures - 1));
  const spread = exp * retry.jitter * (2 * rand - 1);
  return Math.max(0, Math.min(retry.maxMs, Math.round(exp + spread)));
}
