// The on-disk shape of a record: its version, the highest fencing token per lease that wrote it, the value.
import { z } from "zod";
import { stableJson } from "./json.js";

export const EnvelopeSchema = z
  .object({
    version: z.number().int().positive(),
    fences: z.record(z.string(), z.number().int().nonnegative()).default({}),
    value: z.unknown(),
  })
  .strict();
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Serialises with version first, so `git diff` shows the bump at the top. */
export function serializeEnvelope(env: Envelope): string {
  const body = stableJson({ fences: env.fences, value: env.value });
  return `{\n  "version": ${env.version},${body.slice(1)}`;
}
