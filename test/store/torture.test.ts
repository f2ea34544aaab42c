// Many real processes hammering the same and separate records: nothing lost, versions strictly increase.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorker, spawnWorker, tempDir } from "./helpers.js";

beforeAll(buildWorker);

const PROCS = 8;
const N = 150;

describe("torture: 8 processes × 150 updates each to one shared and one own record", () => {
  it("loses no update; each version is handed out once and strictly increases per writer", { timeout: 60_000 }, async () => {
    const root = tempDir();
    const workers = Array.from({ length: PROCS }, (_, i) => spawnWorker("count", { root, id: `w${i}`, n: N }));
    await Promise.all(workers.map((w) => w.waitFor((l) => l.done === true, 55_000)));
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
