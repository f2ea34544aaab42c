// WriteQueue against a real store in a temp dir: order, merging, flush, `written`, history-only
// batches, and a write the store refuses (a stale fence).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/open.js";
import { StorePaths } from "../../src/store/paths.js";
import { fenceOf } from "../../src/store/leases.js";
import type { Fence } from "../../src/store/types.js";
import { TaskStates } from "../../src/store/task-states.js";
import type { TaskState } from "../../src/store/task-state-schema.js";
import { WriteQueue, type StateWriter } from "../../src/reconcile/write-queue.js";

const stateKey = (id: string) => `state/${id}`;
import { FakeClock, settle } from "../support/fake-clock.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const T = "T1";
const turn = () => new Promise<void>((r) => setImmediate(r));
/** A promise and the callback that resolves it (a `written` hook to wait on). */
function signal(): { done: () => void; seen: Promise<void> } {
  let done!: () => void;
  const seen = new Promise<void>((r) => (done = r));
  return { done, seen };
}

/** A real store, a writer whose clock advances 1 s per call (so each write gets its own stamp), holds timed on fake time. */
function setup(beforeRename?: (key: string) => Promise<void> | void) {
  const root = mkdtempSync(path.join(tmpdir(), "orch-write-queue-"));
  roots.push(root);
  const store: Store = openStore(root, { beforeRename: (key) => beforeRename?.(key) });
  const paths = new StorePaths(root);
  let t = Date.parse("2026-01-01T00:00:00Z");
  const cur: { fence?: Fence } = {};
  const now = () => (t += 1000);
  const w: StateWriter = { states: new TaskStates(store, now), journal: store.journal, fence: () => cur.fence, now };
  const clock = new FakeClock();
  return {
    store,
    w,
    cur,
    clock,
    queue: (id = T) => new WriteQueue(w, id, () => "g1", clock),
    read: async (id = T) => w.states.read(id),
    history: (id = T) => store.journal.read(id),
    /** The record as it is on disk right now, read synchronously. */
    diskRecord: (id = T): { version: number; value: TaskState } | undefined => {
      try {
        return JSON.parse(readFileSync(paths.record(stateKey(id)), "utf8"));
      } catch {
        return undefined;
      }
    },
    /** History lines on disk right now, read synchronously. */
    diskHistory: (id = T): { kind: string; at: string }[] => {
      try {
        return readFileSync(paths.history(id), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
  };
}

/** A store whose first write of T's state is held just before its rename until `release()`. */
function setupHeld() {
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const writes = { count: 0 };
  const s = setup(async (key) => {
    if (key !== stateKey(T) || writes.count++ > 0) return;
    entered();
    await gate;
  });
  return { s, inFlight, release, writes };
}

describe("WriteQueue", () => {
  it("merges the changes of one turn into one state write and one history append, applied in order", async () => {
    const s = setup();
    await s.w.states.patch(T, "g1", { phase: "Pending" }, { fence: s.w.fence() });
    const seeded = (await s.read())!;
    expect(seeded.version).toBe(1);

    const q = s.queue();
    const befores: TaskState[] = [];
    q.add({
      patch: { phase: "Running", attempts: 1 },
      history: (b) => (befores.push(b!), [{ task: T, kind: "a", from: b!.phase, to: "Running" }]),
    });
    q.add({
      // a PatchFn sees the previous change's effect
      patch: (st) => ({ attempts: st.attempts + 1 }),
      history: (b) => (befores.push(b!), [{ task: T, kind: "b", detail: { attempts: b!.attempts } }]),
    });
    q.add({
      patch: { phase: "Verifying" }, // overrides the first change's phase
      history: (b) => (befores.push(b!), [{ task: T, kind: "c1", from: b!.phase }, { task: T, kind: "c2" }]),
    });
    q.add({
      // no patch, but in a batch that writes state: sees the state before it
      history: (b) => (befores.push(b!), [{ task: T, kind: "d", from: b!.phase, detail: { attempts: b!.attempts } }]),
    });
    // add() returns at once: nothing on disk yet
    expect(s.diskRecord()!.version).toBe(1);
    expect(s.diskHistory()).toEqual([]);

    await q.flush();
    const r = (await s.read())!;
    expect(r.version).toBe(2); // exactly one state write
    expect(r.value.phase).toBe("Verifying");
    expect(r.value.attempts).toBe(2);

    expect(befores.map((b) => [b.phase, b.attempts])).toEqual([
      ["Pending", 0],
      ["Running", 1],
      ["Running", 2],
      ["Verifying", 2],
    ]);

    const h = await s.history();
    expect(h.map((e) => e.kind)).toEqual(["a", "b", "c1", "c2", "d"]);
    expect(h[0]).toMatchObject({ from: "Pending", to: "Running" });
    expect(h[1]!.detail).toEqual({ attempts: 1 });
    expect(h[2]).toMatchObject({ from: "Running" });
    expect(h[4]).toMatchObject({ from: "Verifying", detail: { attempts: 2 } });
    // one append, with the write and under its lock: every event carries the write's stamp
    expect(new Set(h.map((e) => e.at)).size).toBe(1);
    expect(h[0]!.at).toBe(r.value.updatedAt);
  });

  it("writes changes added during a write after it, merged and in order; flush waits for both", async () => {
    const { s, inFlight, release, writes } = setupHeld();

    const q = s.queue();
    q.add({ patch: { phase: "Running" }, history: () => [{ task: T, kind: "a" }] });
    await inFlight;
    const befores: string[] = [];
    q.add({
      patch: (st) => ({ attempts: st.attempts + 1 }),
      history: (b) => (befores.push(b!.phase), [{ task: T, kind: "b" }]),
    });
    q.add({ patch: { phase: "Verifying" }, history: (b) => (befores.push(b!.phase), [{ task: T, kind: "c" }]) });

    let flushed = false;
    const f = q.flush().then(() => (flushed = true));
    await settle(20);
    expect(flushed).toBe(false); // the first write is still held
    expect(s.diskRecord()).toBeUndefined();

    release();
    await f;
    const r = (await s.read())!;
    expect(r.version).toBe(2); // created by the first write, then one write for both later changes
    expect(r.value).toMatchObject({ phase: "Verifying", attempts: 1 });
    expect(befores).toEqual(["Running", "Running"]); // applied on top of the first write
    const h = await s.history();
    expect(h.map((e) => e.kind)).toEqual(["a", "b", "c"]);
    expect(h[1]!.at).toBe(h[2]!.at);
    expect(h[0]!.at).not.toBe(h[1]!.at);
    expect(writes.count).toBe(2);
  });

  it("takePending waits for the write in flight, then hands over the rest unwritten (the caller writes them)", async () => {
    const { s, inFlight, release, writes } = setupHeld();
    const q = s.queue();
    const written: string[] = [];
    q.add({ patch: { phase: "Running" }, history: () => [{ task: T, kind: "a" }], written: () => written.push("a") });
    await inFlight;
    q.add({ patch: { attempts: 2 }, history: () => [{ task: T, kind: "b" }], written: () => written.push("b") });
    let taken: Awaited<ReturnType<WriteQueue["takePending"]>> | undefined;
    const t = q.takePending().then((x) => (taken = x));
    await settle(20);
    expect(taken).toBeUndefined(); // the first write is still held
    release();
    await t;
    expect(taken!.map((c) => c.history?.(undefined)[0]?.kind)).toEqual(["b"]);
    await q.flush();
    await settle(20);
    // only the first change was written; the handed-over one is not written by the queue
    expect((await s.read())!.version).toBe(1);
    expect((await s.history()).map((e) => e.kind)).toEqual(["a"]);
    expect(written).toEqual(["a"]);
    expect(writes.count).toBe(1);
    // the queue goes on working afterwards
    q.add({ patch: { attempts: 3 } });
    await q.flush();
    expect((await s.read())!.value.attempts).toBe(3);
  });

  it("a held change waits up to its hold for more (then one write); flush, a change without hold or takePending end the wait", async () => {
    const s = setup();
    const q = s.queue();
    q.add({ patch: { phase: "Running" }, history: () => [{ task: T, kind: "a" }] }, 150);
    await s.clock.advance(60);
    expect(s.diskRecord()).toBeUndefined(); // still held
    const both = signal();
    q.add({ patch: { attempts: 1 }, history: () => [{ task: T, kind: "b" }], written: both.done }, 150); // the first deadline stands
    await s.clock.advance(89);
    expect(s.clock.pending).toBe(1); // held, 1 ms before the first deadline
    expect(s.diskRecord()).toBeUndefined();
    await s.clock.advance(1);
    expect(s.clock.pending).toBe(0);
    await both.seen;
    expect(s.diskRecord()?.version).toBe(1); // written once the hold ran out, both in one write
    expect(s.diskHistory().map((e) => e.kind)).toEqual(["a", "b"]);

    q.add({ patch: { attempts: 2 } }, 10_000);
    await q.flush(); // flush does not wait for the hold
    expect(s.diskRecord()?.version).toBe(2);

    q.add({ patch: { attempts: 3 } }, 10_000);
    const now = signal();
    q.add({ patch: { attempts: 4 }, written: now.done }); // no hold: written now, with the held one
    await now.seen; // the clock did not move
    expect(s.diskRecord()).toMatchObject({ version: 3, value: { attempts: 4 } });

    q.add({ patch: { attempts: 5 }, history: () => [{ task: T, kind: "c" }] }, 100);
    const taken = await q.takePending(); // handed over, never written by the queue
    expect(s.clock.pending).toBe(0); // its hold is cancelled
    await s.clock.advance(150);
    await q.flush();
    expect(taken).toHaveLength(1);
    expect(s.diskRecord()?.version).toBe(3);
    expect(s.diskHistory().map((e) => e.kind)).toEqual(["a", "b"]);
  });

  it("runs `written` callbacks once their change is on disk, in order", async () => {
    const s = setup();
    const q = s.queue();
    const seen: { name: string; version?: number; phase?: string; kinds: string[] }[] = [];
    const written = (name: string) => () => {
      const rec = s.diskRecord();
      seen.push({ name, version: rec?.version, phase: rec?.value.phase, kinds: s.diskHistory().map((e) => e.kind) });
    };
    q.add({ patch: { phase: "Running" }, history: () => [{ task: T, kind: "a" }], written: written("A") });
    q.add({ history: () => [{ task: T, kind: "b" }], written: written("B") });
    q.add({ patch: { phase: "Verifying" }, written: written("C") });
    await q.flush();
    q.add({ patch: { phase: "Succeeded" }, history: () => [{ task: T, kind: "d" }], written: written("D") });
    expect(seen.map((x) => x.name)).toEqual(["A", "B", "C"]); // D not yet: its write has not run
    await q.flush();

    expect(seen).toEqual([
      { name: "A", version: 1, phase: "Verifying", kinds: ["a", "b"] },
      { name: "B", version: 1, phase: "Verifying", kinds: ["a", "b"] },
      { name: "C", version: 1, phase: "Verifying", kinds: ["a", "b"] },
      { name: "D", version: 2, phase: "Succeeded", kinds: ["a", "b", "d"] },
    ]);
  });

  it("a history-only batch appends history and leaves the state record alone", async () => {
    const s = setup();
    await s.w.states.patch(T, "g1", { phase: "Running" }, { fence: s.w.fence() });
    const before = readFileSync(new StorePaths(s.store.root).record(stateKey(T)), "utf8");

    const q = s.queue();
    const befores: unknown[] = [];
    q.add({ history: (b) => (befores.push(b), [{ task: T, kind: "x" }]) });
    q.add({ history: (b) => (befores.push(b), [{ task: T, kind: "y" }, { task: T, kind: "z" }]) });
    await q.flush();

    expect((await s.read())!.version).toBe(1);
    expect(readFileSync(new StorePaths(s.store.root).record(stateKey(T)), "utf8")).toBe(before);
    expect(befores).toEqual([undefined, undefined]);
    expect((await s.history()).map((e) => e.kind)).toEqual(["x", "y", "z"]);

    // for a task with no record, none is created
    const q2 = s.queue("T2");
    q2.add({ history: () => [{ task: "T2", kind: "only" }] });
    await q2.flush();
    expect(await s.read("T2")).toBeUndefined();
    expect((await s.history("T2")).map((e) => e.kind)).toEqual(["only"]);
  });

  it("a refused write: flush rejects with its error, later changes are dropped, flush keeps rejecting", async () => {
    const s = setup();
    const a = (await s.store.leases.acquire("mission", "A", 60_000))!;
    await s.store.leases.release(a);
    const b = (await s.store.leases.acquire("mission", "B", 60_000))!;
    expect(b.token).toBeGreaterThan(a.token);
    s.cur.fence = fenceOf(b);
    await s.w.states.patch(T, "g1", { phase: "Running" }, { fence: s.w.fence() }); // token b wrote the record
    s.cur.fence = fenceOf(a); // this queue's writer holds the older token

    const q = s.queue();
    const written: string[] = [];
    q.add({ patch: { phase: "Failed" }, history: () => [{ task: T, kind: "x" }], written: () => written.push("x") });
    const err = await q.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "fenced" });
    expect((err as Error).message).toMatch(/stale token/);

    // Even with a fence that would now be accepted, later changes are not written.
    s.cur.fence = fenceOf(b);
    q.add({ patch: { phase: "Succeeded" }, history: () => [{ task: T, kind: "y" }], written: () => written.push("y") });
    await turn();
    await settle(20);
    await expect(q.flush()).rejects.toBe(err);
    await expect(q.flush()).rejects.toBe(err);

    const r = (await s.read())!;
    expect(r.version).toBe(1);
    expect(r.value.phase).toBe("Running");
    expect(await s.history()).toEqual([]);
    expect(written).toEqual([]);
    // the fence itself is fine: the store takes this write, the queue just never sent it
    await s.w.states.patch(T, "g1", { phase: "Succeeded" }, { fence: s.w.fence() });
    expect((await s.read())!.version).toBe(2);
  });

  it("a write fenced out while in flight drops the changes queued behind it", async () => {
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    const s = setup(async (key) => {
      if (key !== stateKey(T) || held) return;
      held = true;
      entered();
      await gate;
    });
    const a = (await s.store.leases.acquire("mission", "A", 60_000))!;
    s.cur.fence = fenceOf(a);

    const q = s.queue();
    const written: string[] = [];
    q.add({ patch: { phase: "Running" }, history: () => [{ task: T, kind: "a" }], written: () => written.push("a") });
    await inFlight;
    q.add({ patch: { phase: "Verifying" }, history: () => [{ task: T, kind: "b" }], written: () => written.push("b") });
    // the lease is taken over while the first write waits before its rename
    await s.store.leases.release(a);
    const b = (await s.store.leases.acquire("mission", "B", 60_000))!;
    release();

    await expect(q.flush()).rejects.toMatchObject({ code: "fenced" });
    s.cur.fence = fenceOf(b);
    q.add({ patch: { phase: "Succeeded" }, written: () => written.push("c") });
    await expect(q.flush()).rejects.toMatchObject({ code: "fenced" });
    expect(await s.read()).toBeUndefined();
    expect(await s.history()).toEqual([]);
    expect(written).toEqual([]);
  });
});
