// Requests a person makes with `orch suspend|resume|retry`: one record, control/requests, read by every
// pass. They are desired state (like the task files), so only the reconciler turns them into task state.
import { z } from "zod";
import type { RecordStore } from "../store/index.js";
import type { Controls } from "./plan.js";

/** The record key. */
const CONTROL_KEY = "control/requests";

const ControlRecordSchema = z
  .object({
    missionSuspended: z.boolean().default(false),
    suspended: z.array(z.string()).default([]),
    /** Task → request stamp (ISO time + nonce); a new stamp asks for one more retry. */
    retry: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type ControlRecord = z.infer<typeof ControlRecordSchema>;

const parse = (raw: unknown) => ControlRecordSchema.parse(raw);

/** Reads the requests as plan() wants them. */
export async function readControls(records: RecordStore): Promise<Controls> {
  const r = (await records.readCached(CONTROL_KEY, parse))?.value ?? parse({});
  return { missionSuspended: r.missionSuspended, suspended: new Set(r.suspended), retry: new Map(Object.entries(r.retry)) };
}

/** Changes the requests under the record's lock (CAS), for the CLI commands. */
export async function updateControls(records: RecordStore, change: (c: ControlRecord) => ControlRecord): Promise<ControlRecord> {
  return (await records.update(CONTROL_KEY, parse, (cur) => change(cur ?? parse({})))).value;
}
