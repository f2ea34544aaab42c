// Task-state records as the loop uses them, on a real store: damaged records are recovered on read and on write.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { patchState, readAllStates, type StateWriter } from "../../src/reconcile/records.js";
import type { HistoryEvent } from "../../src/store/types.js";
import { tempDir } from "../store/helpers.js";

const history: HistoryEvent[] = [
  // No detail.generation: a rebuild takes the generation it is given.
  { at: "2026-01-01T00:00:01Z", task: "T1", kind: "transition", from: "Pending", to: "Running", attempt: 1, session: "ses_a", role: "worker" },
  { at: "2026-01-01T00:00:02Z", task: "T2", kind: "transition", to: "Succeeded" },
];

describe("readAllStates", () => {
  it("reads every state, recovering and reporting the damaged ones", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(history);
    const w: StateWriter = { records: store.records, journal: store.journal, fence: () => undefined, now: () => Date.parse("2026-01-01T00:01:00Z") };
    for (const id of ["T1", "T2", "T3"]) await patchState(w, id, "g1", { phase: "Pending" });
    writeFileSync(path.join(root, ".orchestrator/state/T2.json"), "{ broken");
    const seen: string[] = [];
    const all = await readAllStates(store, (id, message) => seen.push(`${id}: ${message}`));
    expect([...all.keys()].sort()).toEqual(["T1", "T2", "T3"]);
    expect(all.get("T1")?.phase).toBe("Pending");
    expect(all.get("T2")?.phase).toBe("Succeeded"); // from T2's history
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^T2: \.orchestrator\/state\/T2\.json: .*moved aside to .*T2\.corrupt-.*rebuilt from history/);
  });
});

describe("patchState", () => {
  it("on a damaged record: moves it aside, rebuilds it from history, then applies the change", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(history);
    const dir = path.join(root, ".orchestrator/state");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "T1.json"), "garbage");
    const now = Date.parse("2026-01-01T00:05:00Z");
    const w: StateWriter = { records: store.records, journal: store.journal, fence: () => undefined, now: () => now };

    const s = await patchState(w, "T1", "g2", (cur) => ({ attempts: cur.attempts + 1, costUsd: 0.5 }));

    // Rebuilt from history (Running, session ses_a, attempt 1), not created fresh (Pending, attempt 0).
    expect(s).toMatchObject({ id: "T1", phase: "Running", generation: "g2", attempts: 2, costUsd: 0.5, updatedAt: "2026-01-01T00:05:00.000Z" });
    expect(s.sessions.map((x) => x.id)).toEqual(["ses_a"]);
    expect(s.conditions[0]).toMatchObject({ type: "Rebuilt", reason: "CorruptRecord", at: "2026-01-01T00:05:00.000Z" });
    const kept = readdirSync(dir).filter((n) => n.includes(".corrupt-"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!), "utf8")).toBe("garbage"); // never deleted
    expect((await store.journal.read("T1")).at(-1)).toMatchObject({ kind: "state-rebuilt", to: "Running", at: "2026-01-01T00:05:00.000Z" });
    // The change is on disk and the record is healthy again.
    const all = await readAllStates(store, (id, message) => expect.fail(`${id}: ${message}`));
    expect(all.get("T1")).toMatchObject({ phase: "Running", attempts: 2, costUsd: 0.5 });
  });
});
