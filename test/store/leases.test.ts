// Leases and fencing tokens, in one process with an injected clock (clock jumps included).
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { fenceOf } from "../../src/store/leases.js";
import { tempDir } from "./helpers.js";

const N = z.object({ n: z.number() }).strict().parse;

function clockedStore() {
  let t = 1_000_000;
  const root = tempDir();
  return { root, store: openStore(root, { now: () => t }), set: (v: number) => (t = v), get now() { return t; } };
}

describe("leases", () => {
  it("tokens strictly increase across acquire, release and expiry, and survive a reopen", async () => {
    const c = clockedStore();
    const tokens: number[] = [];
    const a = await c.store.leases.acquire("mission", "A", 1000);
    tokens.push(a!.token);
    expect(await c.store.leases.acquire("mission", "B", 1000)).toBeUndefined(); // live holder keeps it
    await c.store.leases.release(a!);
    const b = await c.store.leases.acquire("mission", "B", 1000);
    tokens.push(b!.token);
    c.set(c.now + 1001); // B expires
    const again = openStore(c.root, { now: () => c.now }); // another process, same disk
    const d = await again.leases.acquire("mission", "D", 1000);
    tokens.push(d!.token);
    expect(tokens).toEqual([1, 2, 3]);
    expect(await c.store.leases.acquire("other", "A", 1000)).toMatchObject({ token: 1 }); // per name
  });

  it("renew extends a held lease; renew or write after a takeover is refused as fenced", async () => {
    const c = clockedStore();
    const a = await c.store.leases.acquire("mission", "A", 1000);
    c.set(c.now + 900);
    const a2 = await c.store.leases.renew(a!, 1000);
    expect(a2.expiresAt).toBe(c.now + 1000);
    await c.store.records.write("r", { n: 1 }, undefined, fenceOf(a2));
    c.set(c.now + 1500); // A paused past expiry; B takes over
    const b = await c.store.leases.acquire("mission", "B", 1000);
    await expect(c.store.leases.renew(a2, 1000)).rejects.toMatchObject({ code: "fenced" });
    await expect(c.store.records.update("r", N, (x) => ({ n: x!.n + 1 }), fenceOf(a2))).rejects.toMatchObject({ code: "fenced" });
    await c.store.records.update("r", N, (x) => ({ n: x!.n + 10 }), fenceOf(b!));
    expect((await c.store.records.read("r", N))?.value.n).toBe(11);
    await c.store.leases.release(a2); // a lost lease's release changes nothing
    expect(await c.store.leases.current("mission")).toMatchObject({ holder: "B", token: 2 });
  });

  it("a clock jump past expiry stops writes even when nobody took the lease; renew restores them", async () => {
    const c = clockedStore();
    const a = await c.store.leases.acquire("mission", "A", 1000);
    c.set(c.now + 60_000);
    const err = await c.store.records.write("r", { n: 1 }, undefined, fenceOf(a!)).catch((e) => e);
    expect(err).toMatchObject({ code: "fenced" });
    expect(err.message).toContain("expired");
    const a2 = await c.store.leases.renew(a!, 1000); // still the newest token: nothing happened in between
    await c.store.records.write("r", { n: 1 }, undefined, fenceOf(a2));
  });

  it("a record refuses a token older than the highest one that wrote it", async () => {
    const c = clockedStore();
    const a = await c.store.leases.acquire("task-T1", "A", 1000);
    await c.store.leases.release(a!);
    const b = await c.store.leases.acquire("task-T1", "B", 1000);
    await c.store.records.write("r", { n: 1 }, undefined, fenceOf(b!));
    const err = await c.store.records.write("r", { n: 2 }, 1, { lease: "task-T1", token: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: "fenced" });
    expect(err.message).toMatch(/stale token 1 .*token 2 already wrote it/);
    await c.store.records.write("r", { n: 2 }, 1); // an unfenced write (a person's command) is CAS-only
    expect(await c.store.records.read("r", N)).toEqual({ value: { n: 2 }, version: 2 });
  });
});
