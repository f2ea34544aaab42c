// Task state records: a damaged record is named, kept aside, and rebuilt from history.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { readTaskState, rebuildTaskState, updateTaskState } from "../../src/store/task-state.js";
import type { TaskState } from "../../src/store/task-state-schema.js";
import type { HistoryEvent } from "../../src/store/types.js";
import { tempDir } from "./helpers.js";

const AT = "2026-01-01T00:00:00.000Z";
const fresh = (id: string): TaskState => ({
  id,
  phase: "Pending",
  generation: "g1",
  observedGeneration: "g1",
  conditions: [],
  attempts: 0,
  sessions: [],
  createdAt: AT,
  updatedAt: AT,
  usage: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
  costUsd: 0,
});
const history: HistoryEvent[] = [
  { at: "2026-01-01T00:00:01Z", task: "T1", kind: "transition", from: "Pending", to: "Running", attempt: 1, session: "ses_a", role: "worker", detail: { generation: "g1" } },
  { at: "2026-01-01T00:00:02Z", task: "T1", kind: "session-ended", attempt: 1, session: "ses_a", tokens: 1200, costUsd: 0.25, detail: { usage: { input: 1000, output: 200 } } },
  { at: "2026-01-01T00:00:03Z", task: "T1", kind: "transition", from: "Running", to: "Verifying", attempt: 1, detail: { generation: "g1" } },
  { at: "2026-01-01T00:00:04Z", task: "T1", kind: "verify-failed", attempt: 1, error: "npm test exited 1" },
  { at: "2026-01-01T00:00:05Z", task: "T1", kind: "transition", from: "Verifying", to: "Running", attempt: 2, session: "ses_b", role: "fixer", costUsd: 0.1, detail: { generation: "g1" } },
  { at: "2026-01-01T00:00:06Z", task: "T2", kind: "transition", to: "Succeeded" },
];

describe("rebuildTaskState (pure)", () => {
  it("takes phase and generation from the last transition and sums the figures", () => {
    const s = rebuildTaskState("T1", history, "g2", AT);
    expect(s).toMatchObject({
      id: "T1",
      phase: "Running",
      generation: "g1", // what the attempt ran, not the spec's generation now
      attempts: 2,
      costUsd: 0.35,
      usage: { input: 1000, output: 200 },
      startedAt: "2026-01-01T00:00:01Z",
      lastError: { code: "verify-failed", message: "npm test exited 1", terminal: false },
    });
    expect(s.sessions.map((x) => [x.id, x.role, x.attempt])).toEqual([["ses_a", "worker", 1], ["ses_b", "fixer", 2]]);
    expect(s.conditions[0]).toMatchObject({ type: "Rebuilt", reason: "CorruptRecord" });
    expect(s.finishedAt).toBeUndefined();
  });
  it("no history: Pending at the given generation; a terminal phase gets finishedAt", () => {
    expect(rebuildTaskState("T9", history, "g7", AT)).toMatchObject({ phase: "Pending", generation: "g7", attempts: 0, createdAt: AT });
    expect(rebuildTaskState("T2", history, "g", AT)).toMatchObject({ phase: "Succeeded", finishedAt: "2026-01-01T00:00:06Z" });
  });
});

describe("readTaskState / updateTaskState", () => {
  for (const [what, text] of <[string, string][]>[
    ["bad JSON (a hand edit)", '{ "version": 3, "fences": {}, "value": { "id": "T1", '],
    ["a schema mismatch", '{ "version": 3, "fences": {}, "value": { "id": "T1", "phase": "Done" } }'],
  ]) {
    it(`${what}: error names the file, the file is moved aside, state rebuilt from history`, async () => {
      const root = tempDir();
      const store = openStore(root);
      await store.journal.append(history);
      await updateTaskState(store, "T1", () => fresh("T1"));
      const file = path.join(root, ".orchestrator/state/T1.json");
      writeFileSync(file, text);
      const r = await readTaskState(store, "T1", { generation: "g2" });
      expect(r?.recovered?.problem.file).toBe(".orchestrator/state/T1.json");
      expect(r?.recovered?.problem.message).toMatch(/moved aside to \.orchestrator\/state\/T1\.corrupt-.*\.json and rebuilt from history/);
      expect(r?.value.phase).toBe("Running");
      expect(r?.version).toBe(4); // above the version the damaged file claimed
      const kept = readdirSync(path.dirname(file)).filter((n) => n.includes(".corrupt-"));
      expect(kept).toHaveLength(1);
      expect(readFileSync(path.join(path.dirname(file), kept[0]!), "utf8")).toBe(text); // never deleted
      expect((await store.journal.read("T1")).at(-1)).toMatchObject({ kind: "state-rebuilt", to: "Running" });
      expect((await readTaskState(store, "T1"))?.recovered).toBeUndefined(); // healthy again
      expect(await store.records.list("state/")).toEqual(["state/T1"]);
    });
  }

  it("updateTaskState recovers a damaged record, then applies the change", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(history);
    mkdirSync(path.join(root, ".orchestrator/state"));
    writeFileSync(path.join(root, ".orchestrator/state/T1.json"), "garbage");
    const r = await updateTaskState(store, "T1", (cur) => ({ ...cur!, phase: "Verifying" }));
    expect(r.recovered?.movedTo).toMatch(/T1\.corrupt-/);
    expect(r.value.phase).toBe("Verifying");
  });
});
