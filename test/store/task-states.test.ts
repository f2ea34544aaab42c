// The task-state repository on a real store: a damaged record is named, kept aside, and rebuilt from
// history, on read, on read-all and on write; `inspect` judges without repairing.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { TaskStates } from "../../src/store/task-states.js";
import { rebuildTaskState } from "../../src/store/task-state-rebuild.js";
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

describe("TaskStates: read / update", () => {
  for (const [what, text] of <[string, string][]>[
    ["bad JSON (a hand edit)", '{ "version": 3, "fences": {}, "value": { "id": "T1", '],
    ["a schema mismatch", '{ "version": 3, "fences": {}, "value": { "id": "T1", "phase": "Done" } }'],
  ]) {
    it(`${what}: error names the file, the file is moved aside, state rebuilt from history`, async () => {
      const root = tempDir();
      const store = openStore(root);
      await store.journal.append(history);
      await new TaskStates(store).update("T1", () => fresh("T1"));
      const file = path.join(root, ".orchestrator/state/T1.json");
      writeFileSync(file, text);
      const r = await new TaskStates(store).read("T1", "g2");
      expect(r?.recovered?.problem.file).toBe(".orchestrator/state/T1.json");
      expect(r?.recovered?.problem.message).toMatch(/moved aside to \.orchestrator\/state\/T1\.corrupt-.*\.json and rebuilt from history/);
      expect(r?.value.phase).toBe("Running");
      expect(r?.version).toBe(4); // above the version the damaged file claimed
      const kept = readdirSync(path.dirname(file)).filter((n) => n.includes(".corrupt-"));
      expect(kept).toHaveLength(1);
      expect(readFileSync(path.join(path.dirname(file), kept[0]!), "utf8")).toBe(text); // never deleted
      expect((await store.journal.read("T1")).at(-1)).toMatchObject({ kind: "state-rebuilt", to: "Running" });
      expect((await new TaskStates(store).read("T1"))?.recovered).toBeUndefined(); // healthy again
      expect(await store.records.list("state/")).toEqual(["state/T1"]);
    });
  }

  it("update recovers a damaged record, then applies the change", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(history);
    mkdirSync(path.join(root, ".orchestrator/state"));
    writeFileSync(path.join(root, ".orchestrator/state/T1.json"), "garbage");
    const r = await new TaskStates(store).update("T1", (cur) => ({ ...cur!, phase: "Verifying" }));
    expect(r.recovered?.movedTo).toMatch(/T1\.corrupt-/);
    expect(r.value.phase).toBe("Verifying");
  });
});

const rebuildHistory: HistoryEvent[] = [
  // No detail.generation: a rebuild takes the generation it is given.
  { at: "2026-01-01T00:00:01Z", task: "T1", kind: "transition", from: "Pending", to: "Running", attempt: 1, session: "ses_a", role: "worker" },
  { at: "2026-01-01T00:00:02Z", task: "T2", kind: "transition", to: "Succeeded" },
];

describe("TaskStates: readAll / patch / inspect / remove", () => {
  it("readAll reads every state, recovering and reporting the damaged ones", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(rebuildHistory);
    const states = new TaskStates(store, () => Date.parse("2026-01-01T00:01:00Z"));
    for (const id of ["T1", "T2", "T3"]) await states.patch(id, "g1", { phase: "Pending" });
    writeFileSync(path.join(root, ".orchestrator/state/T2.json"), "{ broken");
    const seen: string[] = [];
    const all = await states.readAll((id, message) => seen.push(`${id}: ${message}`));
    expect([...all.keys()].sort()).toEqual(["T1", "T2", "T3"]);
    expect(all.get("T1")?.phase).toBe("Pending");
    expect(all.get("T2")?.phase).toBe("Succeeded"); // from T2's history
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^T2: \.orchestrator\/state\/T2\.json: .*moved aside to .*T2\.corrupt-.*rebuilt from history/);
    expect(await states.ids()).toEqual(["T1", "T2", "T3"]); // the moved-aside copy is no record
  });

  it("patch on a damaged record: moves it aside, rebuilds it from history, then applies the change", async () => {
    const root = tempDir();
    const store = openStore(root);
    await store.journal.append(rebuildHistory);
    const dir = path.join(root, ".orchestrator/state");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "T1.json"), "garbage");
    const states = new TaskStates(store, () => Date.parse("2026-01-01T00:05:00Z"));

    const s = await states.patch("T1", "g2", (cur) => ({ attempts: cur.attempts + 1, costUsd: 0.5 }));

    // Rebuilt from history (Running, session ses_a, attempt 1), not created fresh (Pending, attempt 0).
    expect(s).toMatchObject({ id: "T1", phase: "Running", generation: "g2", attempts: 2, costUsd: 0.5, updatedAt: "2026-01-01T00:05:00.000Z" });
    expect(s.sessions.map((x) => x.id)).toEqual(["ses_a"]);
    expect(s.conditions[0]).toMatchObject({ type: "Rebuilt", reason: "CorruptRecord", at: "2026-01-01T00:05:00.000Z" });
    const kept = readdirSync(dir).filter((n) => n.includes(".corrupt-"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!), "utf8")).toBe("garbage"); // never deleted
    expect((await store.journal.read("T1")).at(-1)).toMatchObject({ kind: "state-rebuilt", to: "Running", at: "2026-01-01T00:05:00.000Z" });
    // The change is on disk and the record is healthy again.
    const all = await states.readAll((id, message) => expect.fail(`${id}: ${message}`));
    expect(all.get("T1")).toMatchObject({ phase: "Running", attempts: 2, costUsd: 0.5 });
  });

  it("inspect judges by the store's rules and repairs nothing; remove takes a damaged record too", async () => {
    const root = tempDir();
    const store = openStore(root);
    const states = new TaskStates(store);
    await states.patch("T1", "g1", { phase: "Running" });
    const dir = path.join(root, ".orchestrator/state");
    writeFileSync(path.join(dir, "T2.json"), '{ "version": 1, "fences": {}, "value": { "id": "T2", "phase": "Done" } }');
    writeFileSync(path.join(dir, "T3.json"), '{ "value": {} }');
    expect(await states.inspect("T1")).toMatchObject({ state: { phase: "Running" } });
    expect(await states.inspect("T2")).toEqual({ damaged: ".orchestrator/state/T2.json" }); // an envelope, not a task state
    expect(await states.inspect("T3")).toEqual({ damaged: ".orchestrator/state/T3.json" }); // not an envelope
    expect(await states.inspect("T4")).toBeUndefined();
    expect(readdirSync(dir).filter((n) => n.includes(".corrupt-"))).toEqual([]);
    expect(await states.remove("T1")).toBe(true);
    expect(await states.remove("T3")).toBe(true);
    expect(await states.remove("T4")).toBe(false);
    expect(await states.ids()).toEqual(["T2"]);
    expect(readdirSync(dir).filter((n) => n.includes(".corrupt-"))).toHaveLength(1); // T3's bytes kept aside
  });
});
