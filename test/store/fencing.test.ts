// Paused processes (SIGSTOP) that lost their lease or their lock cannot write when they resume.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { fenceOf } from "../../src/store/leases.js";
import { buildWorker, spawnWorker, tempDir } from "./helpers.js";

beforeAll(buildWorker);

const Counter = z.object({ n: z.number(), by: z.record(z.string(), z.number()).default({}) }).strict();
const readRecord = (root: string, key: string) => JSON.parse(readFileSync(path.join(root, ".orchestrator", `${key}.json`), "utf8"));

describe("fencing with SIGSTOP / SIGCONT", () => {
  it("processes racing for one lease: exactly one gets it", async () => {
    const root = tempDir();
    const ws = Array.from({ length: 6 }, (_, i) => spawnWorker("acquire", { root, lease: "mission", holder: `p${i}`, ttlMs: 60_000 }));
    await Promise.all(ws.map((w) => w.waitFor((l) => l.ready === true)));
    for (const w of ws) w.send();
    const got = await Promise.all(ws.map((w) => w.waitFor((l) => "lease" in l)));
    const winners = got.filter((l) => l.lease !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.lease.token).toBe(1);
  });

  it("a holder paused past its lease's expiry is refused after another took the lease over", async () => {
    const root = tempDir();
    const a = spawnWorker("lease", { root, lease: "mission", holder: "A", ttlMs: 2500, key: "fenced/r" });
    const { lease } = await a.waitFor((l) => "lease" in l);
    await a.waitFor((l) => l.wrote === 1);
    a.child.kill("SIGSTOP");
    const store = openStore(root);
    // A live lease is never taken, even from a paused holder...
    expect(await store.leases.acquire("mission", "B", 5000)).toBeUndefined();
    // ...but once it expires, B gets a newer token. B's clock is injected past A's expiry (as when A
    // stayed paused that long): A's own clock still says its lease is live, and its write is refused anyway.
    const later = openStore(root, { now: () => Math.max(Date.now(), lease.expiresAt + 1) });
    const b = await later.leases.acquire("mission", "B", 5000);
    expect(b?.token).toBe(lease.token + 1);
    await later.records.update("fenced/r", Counter.parse, (c) => ({ n: (c?.n ?? 0) + 1, by: { B: b!.token } }), fenceOf(b!));
    a.child.kill("SIGCONT");
    a.send();
    const out = await a.waitFor((l) => "refused" in l || "wrote" in l && l.wrote === 2);
    expect(out.refused).toBe("fenced");
    expect(await a.exited).toBe(0);
    const rec = readRecord(root, "fenced/r");
    expect(rec.value).toEqual({ n: 2, by: { B: 2 } }); // A's +100 never landed
    expect(rec.fences).toEqual({ mission: 2 });
  });

  it("a writer paused inside the write path loses the stale lock and its rename is refused on resume", async () => {
    const root = tempDir();
    const store = openStore(root, { lockStaleMs: 2000 });
    await store.records.update("fenced/w", Counter.parse, () => ({ n: 1, by: {} }));
    const a = spawnWorker("pause-before-rename", { root, key: "fenced/w", staleMs: 2000 });
    await a.waitFor((l) => l.beforeRename === true);
    a.child.kill("SIGSTOP");
    const t0 = Date.now();
    const mine = await store.records.update("fenced/w", Counter.parse, (c) => ({ n: c!.n + 1, by: {} }));
    // Taken only once the paused holder's heartbeat went stale, not before.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(mine.version).toBe(2);
    a.child.kill("SIGCONT");
    a.send();
    const out = await a.waitFor((l) => "refused" in l || "wrote" in l);
    expect(out.refused).toBe("fenced");
    expect(readRecord(root, "fenced/w")).toMatchObject({ version: 2, value: { n: 2 } });
  });

  it("a live holder's lock is never stolen; a killed holder's lock is recovered at once", async () => {
    const root = tempDir();
    // Heartbeat every 1 s, stale after 3 s: 2 s of slack for a starved holder on a loaded machine.
    const a = spawnWorker("hold-lock", { root, key: "locks/r", staleMs: 3000 });
    await a.waitFor((l) => l.holding === true);
    const store = openStore(root, { lockStaleMs: 3000, lockWaitMs: 6500 });
    // Alive and heart-beating for more than twice the stale time: we must give up, not steal.
    await expect(store.records.update("locks/r", Counter.parse, () => ({ n: 99, by: {} }))).rejects.toMatchObject({ code: "locked" });
    a.send();
    await a.waitFor((l) => l.released === true);
    expect(readRecord(root, "locks/r").value.n).toBe(1);

    const k = spawnWorker("hold-lock", { root, key: "locks/r", staleMs: 10_000 });
    await k.waitFor((l) => l.holding === true);
    k.child.kill("SIGKILL");
    await k.exited;
    const t0 = Date.now();
    const fast = openStore(root, { lockWaitMs: 2000 }); // far below the 10 s stale time
    await fast.records.update("locks/r", Counter.parse, (c) => ({ n: c!.n + 1, by: {} }));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(readRecord(root, "locks/r")).toMatchObject({ version: 2, value: { n: 2 } });
  });
});
