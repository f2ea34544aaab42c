// The mission history's line format: one JSON object per line, keys always in this order.
import { z } from "zod";
import type { HistoryEvent } from "./types.js";
import { sortKeys } from "./json.js";

export const HistoryEventSchema = z
  .object({
    at: z.string(),
    task: z.string(),
    kind: z.string(),
    attempt: z.number().int().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    session: z.string().optional(),
    role: z.string().optional(),
    tokens: z.number().optional(),
    costUsd: z.number().optional(),
    verdict: z.string().optional(),
    error: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Field order of a history line: time, who, what, then the figures. */
const ORDER = ["at", "task", "kind", "attempt", "from", "to", "session", "role", "tokens", "costUsd", "verdict", "error", "detail"] as const;

/** One history line (no newline): fixed key order, undefined fields left out, detail keys sorted. */
export function formatEvent(e: HistoryEvent): string {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) {
    const v = e[k];
    if (v !== undefined) out[k] = k === "detail" ? sortKeys(v) : v;
  }
  return JSON.stringify(out);
}
