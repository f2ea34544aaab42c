// The mission history: one line per event, stable key order, torn tails and bad lines handled.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "./helpers.js";
import { settle } from "../support/fake-clock.js";

describe("journal", () => {
  it("appends one JSON object per line with a fixed key order, per task file; reads oldest first", async () => {
    const root = tempDir();
    const s = openStore(root);
    await s.journal.append([
      { error: "boom", kind: "transition", task: "T1", at: "2026-01-01T00:00:02Z", to: "Failed", from: "Running", attempt: 1, detail: { z: 1, a: 2 } },
      { at: "2026-01-01T00:00:01Z", task: "T2", kind: "transition", from: "Pending", to: "Running", session: "ses_1", role: "worker", tokens: 10, costUsd: 0.5 },
    ]);
    expect(readFileSync(path.join(root, ".orchestrator/history/T1.jsonl"), "utf8")).toBe(
      '{"at":"2026-01-01T00:00:02Z","task":"T1","kind":"transition","attempt":1,"from":"Running","to":"Failed","error":"boom","detail":{"a":2,"z":1}}\n',
    );
    expect((await s.journal.read()).map((e) => e.task)).toEqual(["T2", "T1"]);
    expect(await s.journal.read("T2")).toHaveLength(1);
    expect(await s.journal.read("T9")).toEqual([]);
  });

  it("a task's history shares its state record's lock: an append waits while state/<task> is held, and update appends under it", async () => {
    const root = tempDir();
    const s = openStore(root);
    const file = path.join(root, ".orchestrator/history/T1.jsonl");
    const lines = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    // A state write whose underLock step holds the lock: history appended there, with the write.
    const update = s.records.update("state/T1", (x) => x as { n: number }, () => ({ n: 1 }), undefined, async () => {
      await s.journal.appendHeld([{ at: "2026-01-01T00:00:01Z", task: "T1", kind: "with-write" }]);
      entered();
      await gate;
    });
    await inside;
    let appended = false;
    const other = s.journal.append([{ at: "2026-01-01T00:00:02Z", task: "T1", kind: "other" }]).then(() => (appended = true));
    await settle(50); // time for an append that did not wait (it is queued behind the lock in this process)
    expect(appended).toBe(false); // the other append waits for the state lock
    expect(lines()).toBe(1);
    release();
    await Promise.all([update, other]);
    expect((await s.journal.read("T1")).map((e) => e.kind)).toEqual(["with-write", "other"]);
  });

  it("an append torn by a crash (no final newline) is cut before the next append", async () => {
    const root = tempDir();
    const s = openStore(root);
    const ev = (n: number) => ({ at: `2026-01-01T00:00:0${n}Z`, task: "T1", kind: "k" });
    await s.journal.append([ev(1)]);
    const f = path.join(root, ".orchestrator/history/T1.jsonl");
    appendFileSync(f, '{"at":"2026-01-01T00:00:02Z","task":"T1","ki');
    expect(await s.journal.read("T1")).toHaveLength(1); // the torn line is not an event
    await s.journal.append([ev(3)]);
    expect(readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l).at)).toEqual([ev(1).at, ev(3).at]);
  });

  it("reports a bad line (e.g. a merge conflict marker) as a problem with file:line, keeping the rest", async () => {
    const root = tempDir();
    const s = openStore(root);
    await s.journal.append([{ at: "2026-01-01T00:00:01Z", task: "T1", kind: "k" }]);
    appendFileSync(path.join(root, ".orchestrator/history/T1.jsonl"), "<<<<<<< HEAD\n");
    await s.journal.append([{ at: "2026-01-01T00:00:02Z", task: "T1", kind: "k" }]);
    const r = await s.journal.readDetailed("T1");
    expect(r.events).toHaveLength(2);
    expect(r.problems).toMatchObject([{ file: ".orchestrator/history/T1.jsonl", line: 2, code: "bad-history-line" }]);
  });

  it("rejects an event that is not one", async () => {
    const s = openStore(tempDir());
    await expect(s.journal.append([{ at: "x", task: "../T1", kind: "k" }])).rejects.toMatchObject({ code: "bad-key" });
    await expect(s.journal.append([{ at: "x", task: "T1" } as never])).rejects.toMatchObject({ code: "bad-event" });
  });
});
