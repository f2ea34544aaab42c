// Real processes against the store: torture (many writers, nothing lost) and crash (kill -9 at random
// moments). One file so the two heavy suites run one after the other, not side by side on two cores.
import { readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { readOwner } from "../../src/store/lock-fs.js";
import { buildWorker, spawnWorker, tempDir } from "./helpers.js";

beforeAll(buildWorker);

const PROCS = 8;
const N = 100;

describe("torture: 8 processes × 100 updates each to one shared and one own record", () => {
  it("loses no update; each version is handed out once and strictly increases per writer", { timeout: 150_000 }, async () => {
    const root = tempDir();
    const workers = Array.from({ length: PROCS }, (_, i) => spawnWorker("count", { root, id: `w${i}`, n: N }));
    await Promise.all(workers.map((w) => w.waitFor((l) => l.done === true, 140_000)));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual(Array(PROCS).fill(0));

    const shared = JSON.parse(readFileSync(path.join(root, ".orchestrator/count/shared.json"), "utf8"));
    expect(shared.value.n).toBe(PROCS * N); // final state = sum of the updates
    expect(shared.version).toBe(PROCS * N);
    expect(Object.values(shared.value.by)).toEqual(Array(PROCS).fill(N));
    const seen: number[] = [];
    for (const [i, w] of workers.entries()) {
      const versions = w.lines.filter((l) => l.shared).map((l) => l.shared as number);
      expect(versions).toHaveLength(N);
      for (let j = 1; j < versions.length; j++) expect(versions[j]).toBeGreaterThan(versions[j - 1]!);
      seen.push(...versions);
      const own = JSON.parse(readFileSync(path.join(root, `.orchestrator/count/own-w${i}.json`), "utf8"));
      expect([own.version, own.value.n]).toEqual([N, N]);
      expect(w.lines.filter((l) => l.own).map((l) => l.own)).toEqual(Array.from({ length: N }, (_, k) => k + 1));
    }
    // Every version 1..total was returned to exactly one writer: no two writes shared a version.
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: PROCS * N }, (_, k) => k + 1));
  });
});

const LANES = 4; // two lanes per record: a killed holder's lock blocks its partner until recovered
const ROUNDS = 26; // 4 × 26 = 104 kills
const STALE_MS = 20_000; // recovery must beat this by far: it comes from the pid check, not the timeout

function checkRecord(file: string): number {
  const env = JSON.parse(readFileSync(file, "utf8")); // throws if torn
  const { n, pad, sum } = env.value;
  expect(createHash("sha1").update(`${n}:${pad}`).digest("hex")).toBe(sum);
  expect(env.version).toBe(n);
  return env.version;
}

describe("crash: kill -9 writers at random moments", () => {
  it(`${LANES * ROUNDS} kills: never torn, no acknowledged write lost, locks recovered before the stale time`, { timeout: 150_000 }, async () => {
    const root = tempDir();
    const acked = new Map<string, number>();
    let lockLeftBehind = 0;
    let slowestRecoveryMs = 0;
    const lane = async (i: number) => {
      const key = `crash/r${i % 2}`;
      const file = path.join(root, ".orchestrator", `${key}.json`);
      const lockDir = path.join(root, ".orchestrator/locks", `${key}.lock`);
      for (let round = 0; round < ROUNDS; round++) {
        const start = Date.now();
        const w = spawnWorker("crash-loop", { root, key, staleMs: STALE_MS });
        // Progress proves the lock (maybe left by the last kill) was recovered.
        await w.waitFor((l) => l.v !== undefined, STALE_MS - 5000);
        slowestRecoveryMs = Math.max(slowestRecoveryMs, Date.now() - start);
        await new Promise((r) => setTimeout(r, Math.random() * 40)); // a random moment of the write path
        w.child.kill("SIGKILL");
        await w.exited;
        if (readOwner(lockDir)?.pid === w.child.pid) lockLeftBehind++; // killed while holding the lock
        const maxAck = Math.max(0, ...w.lines.filter((l) => l.v).map((l) => l.v as number));
        acked.set(key, Math.max(acked.get(key) ?? 0, maxAck));
        // Old or new, never torn; and never older than a write the worker reported done.
        expect(checkRecord(file)).toBeGreaterThanOrEqual(acked.get(key)!);
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    expect(lockLeftBehind).toBeGreaterThan(0); // the kills did land inside the write path
    // Leftover temp files of killed writers are swept; records are untouched.
    const store = openStore(root);
    await store.sweep();
    expect(readdirSync(path.join(root, ".orchestrator/locks/crash")).filter((n) => n.endsWith(".new"))).toEqual([]);
    const left = readdirSync(path.join(root, ".orchestrator/crash"));
    expect(left.sort()).toEqual(["r0.json", "r1.json"]);
    for (const f of left) checkRecord(path.join(root, ".orchestrator/crash", f));
    console.log(`crash: ${LANES * ROUNDS} kills, ${lockLeftBehind} left a lock behind, slowest recovery ${slowestRecoveryMs} ms`);
  });
});
