// Session slots: held while a session runs, granted to waiting attempts first, per role, abortable.
import { describe, expect, it } from "vitest";
import { SessionSlots, type SlotHolder } from "../../src/reconcile/slots.js";
import { Semaphore } from "../../src/util/semaphore.js";

function setup(total: number, perRole: Record<string, number> = {}) {
  const holders: SlotHolder[] = [];
  let freed = 0;
  const slots = new SessionSlots(() => holders, () => ({ total, perRole }), () => freed++);
  const add = (): SlotHolder => {
    const h: SlotHolder = {};
    holders.push(h);
    return h;
  };
  return { slots, add, freed: () => freed };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe("SessionSlots", () => {
  it("grants at once while slots are free; a waiting attempt gets the next freed slot", async () => {
    const { slots, add, freed } = setup(2);
    const [a, b, c] = [add(), add(), add()];
    await slots.acquire(a, "worker");
    await slots.acquire(b, "worker");
    const wait = slots.acquire(c, "reviewer");
    expect(await settled(wait)).toBe(false);
    expect(c.slot).toEqual({ role: "reviewer", waiting: true });
    slots.release(a);
    expect(await settled(wait)).toBe(true);
    expect(c.slot).toEqual({ role: "reviewer", waiting: false });
    expect(a.slot).toBeUndefined();
    expect(freed()).toBe(1);
  });

  it("per-role limits: a reviewer waits for the reviewer slot even when the total has room", async () => {
    const { slots, add } = setup(4, { reviewer: 1 });
    const [a, b, c] = [add(), add(), add()];
    await slots.acquire(a, "reviewer");
    const wait = slots.acquire(b, "reviewer");
    await slots.acquire(c, "worker");
    expect(await settled(wait)).toBe(false);
    slots.release(c); // a worker slot frees: no use to the reviewer
    expect(await settled(wait)).toBe(false);
    slots.release(a);
    expect(await settled(wait)).toBe(true);
  });

  it("an abort ends the wait without a slot; holding the same role already returns at once", async () => {
    const { slots, add } = setup(1);
    const [a, b] = [add(), add()];
    await slots.acquire(a, "worker");
    await slots.acquire(a, "worker");
    const ac = new AbortController();
    const wait = slots.acquire(b, "fixer", ac.signal);
    ac.abort();
    expect(await settled(wait)).toBe(true);
    expect(b.slot).toBeUndefined();
    slots.release(a);
    expect(a.slot).toBeUndefined();
  });
});

describe("Semaphore", () => {
  it("never runs more than the limit at once, and runs every job", async () => {
    const sem = new Semaphore(() => 2);
    let now = 0;
    let peak = 0;
    const jobs = Array.from({ length: 9 }, (_, i) =>
      sem.run(async () => {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 1 + (i % 3)));
        now--;
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(peak).toBe(2);
  });
  it("first come first served: a new job does not pass queued ones, and a raised limit lets them all go", async () => {
    let limit = 1;
    const sem = new Semaphore(() => limit);
    const order: string[] = [];
    let release!: () => void;
    const first = sem.run(() => new Promise<void>((r) => (release = r)).then(() => void order.push("first")));
    const queued = ["a", "b", "c"].map((x) => sem.run(async () => void order.push(x)));
    limit = 3; // raised while they wait
    const late = sem.run(async () => void order.push("late"));
    release();
    await Promise.all([first, ...queued, late]);
    expect(order).toEqual(["first", "a", "b", "c", "late"]);
  });
  it("a failing job gives its place back", async () => {
    const sem = new Semaphore(() => 1);
    await expect(sem.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await sem.run(async () => "next")).toBe("next");
  });
});
