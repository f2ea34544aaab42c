// Reading slot claims (src/workspace/slots.ts) while they are made and released: a claim released
// between the folder's listing and its read is not claimed (not an error), and a claim file that names
// no task (an empty one a kill -9 left between create and write) is free. Real file system, a real
// concurrent process.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { claimSlot, claims, releaseSlot } from "../../src/workspace/slots.js";

function mission(): { root: string; dir: string } {
  const root = mkdtempSync(path.join(tmpdir(), "orch-claims-"));
  const dir = path.join(root, ".orchestrator", "runtime", "workspaces");
  mkdirSync(dir, { recursive: true });
  return { root, dir };
}

describe("slot claims", () => {
  it("a claim listed but gone when read (released meanwhile) is not claimed; the others are read", () => {
    const { root, dir } = mission();
    // A name the listing gives and a read cannot open: what a release between the two leaves.
    symlinkSync(path.join(dir, "gone"), path.join(dir, "slot-0.task"));
    writeFileSync(path.join(dir, "slot-1.task"), "T2\n");
    expect([...claims(root)]).toEqual([[1, "T2"]]);
  });

  it("reads never fail while another process claims and releases a slot in a loop", { timeout: 60_000 }, async () => {
    const { root, dir } = mission();
    // Claim (written, then linked in) and release, as fast as a shell goes, until told to stop.
    const loop = spawn("sh", ["-c", `cd '${dir}' && echo T9 > .t && while [ ! -e stop ]; do ln .t slot-0.task; echo x >> count; rm slot-0.task; done`]);
    const exited = new Promise((r) => loop.on("exit", r));
    let threw = 0;
    let reads = 0;
    const cycles = () => {
      try {
        return readFileSync(path.join(dir, "count"), "utf8").length / 2;
      } catch {
        return 0;
      }
    };
    // Enough claim-release cycles overlap the reads that a read between a listing and a removal happens.
    while (cycles() < 1500) {
      for (let i = 0; i < 50; i++, reads++) {
        try {
          claims(root);
        } catch {
          threw++;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    writeFileSync(path.join(dir, "stop"), "");
    await exited;
    expect(reads).toBeGreaterThan(1000);
    expect(threw).toBe(0);
  });

  it("a claim file that names no task (empty: a kill -9 between its create and its write) is free: not read as claimed, and claimed again", async () => {
    const { root, dir } = mission();
    writeFileSync(path.join(dir, "slot-0.task"), "");
    writeFileSync(path.join(dir, "slot-1.task"), "T1\n");
    expect([...claims(root)]).toEqual([[1, "T1"]]);
    const got = await claimSlot(root, "T3");
    expect(got.n).toBe(0);
    expect(readFileSync(path.join(dir, "slot-0.task"), "utf8")).toBe("T3\n");
    expect([...claims(root)].sort()).toEqual([[0, "T3"], [1, "T1"]]);
    // Claimed whole, the temporary file gone: the folder holds the claims only.
    await releaseSlot(root, 1);
    expect([...claims(root)]).toEqual([[0, "T3"]]);
    const second = await claimSlot(root, "T4");
    expect(second.n).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["slot-0.task", "slot-1.task"]);
  });
});
