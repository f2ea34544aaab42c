// Leases: a time-limited right to act, stored as records under runtime/leases/<name>. The token
// only ever grows (release keeps it), so a writer holding an older token can always be refused.
import { z } from "zod";
import { OrchError } from "../util/index.js";
import type { Fence, Lease, LeaseManager } from "./types.js";
import type { FileRecordStore } from "./records.js";
import { checkKey } from "./paths.js";

const LeaseSchema = z
  .object({
    name: z.string(),
    holder: z.string(),
    token: z.number().int().nonnegative(),
    expiresAt: z.number(),
  })
  .strict();

/** Record key of a lease. */
const leaseKey = (name: string) => `runtime/leases/${checkKey(name)}`;

/** The fence that proves holding `lease`. */
export const fenceOf = (lease: Lease): Fence => ({ lease: lease.name, token: lease.token });

export class FileLeaseManager implements LeaseManager {
  constructor(
    private readonly records: FileRecordStore,
    private readonly now: () => number,
  ) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    let got: Lease | undefined;
    await this.records.update(leaseKey(name), LeaseSchema.parse, (cur) => {
      const now = this.now();
      if (cur && cur.holder !== "" && cur.expiresAt > now) {
        got = undefined;
        return cur; // a live holder keeps it
      }
      got = { name, holder, token: (cur?.token ?? 0) + 1, expiresAt: now + ttlMs };
      return got;
    });
    return got;
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    if (!(await this.current(lease.name))) throw lost(lease);
    let out: Lease | undefined;
    await this.records.update(leaseKey(lease.name), LeaseSchema.parse, (cur) => {
      // Renewing after expiry is allowed only while nobody took the lease: the token is still ours,
      // and writes made in the gap were refused, so nothing was done without the right to.
      if (!cur || cur.token !== lease.token || cur.holder !== lease.holder) {
        out = undefined;
        return cur as Lease;
      }
      out = { ...cur, expiresAt: this.now() + ttlMs };
      return out;
    });
    if (!out) throw lost(lease);
    return out;
  }

  async release(lease: Lease): Promise<void> {
    if (!(await this.current(lease.name))) return;
    await this.records.update(leaseKey(lease.name), LeaseSchema.parse, (cur) =>
      cur && cur.token === lease.token ? { ...cur, holder: "", expiresAt: 0 } : (cur as Lease),
    );
  }

  /** Current state of a lease (no lock: a record is always whole). Checked on every fenced write: cached while unchanged. */
  async current(name: string): Promise<Lease | undefined> {
    return (await this.records.readCached(leaseKey(name), LeaseSchema.parse))?.value;
  }

  /** The fence check records run under their lock: `fence` must be the live lease's current token. */
  check = async (fence: Fence): Promise<void> => {
    const cur = await this.current(fence.lease);
    if (!cur || cur.token !== fence.token || cur.holder === "" || cur.expiresAt <= this.now()) {
      const why = !cur || cur.holder === "" ? "it is not held" : cur.token !== fence.token ? `token ${cur.token} holds it now` : "it expired";
      throw new OrchError("fenced", `write with token ${fence.token} of lease ${fence.lease} refused: ${why}`, {
        hint: "This process lost its lease (paused, crashed or its clock jumped); another may have taken over.",
      });
    }
  };
}

function lost(lease: Lease): OrchError {
  return new OrchError("fenced", `lease ${lease.name} (token ${lease.token}) was lost`, {
    hint: "Another process took it over after it expired; stop acting on it.",
  });
}
