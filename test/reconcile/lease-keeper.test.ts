// The lease keeper on fake time against a real store: waiting for a live holder, renewing every
// TTL/3, the `lost` promise after a takeover, and release (also in the middle of a wait).
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { LeaseKeeper } from "../../src/reconcile/lease-keeper.js";
import { FakeClock } from "../support/fake-clock.js";
import { tempDir } from "../store/helpers.js";

const TTL = 3000;

function setup() {
  const clock = new FakeClock();
  const root = tempDir();
  const store = openStore(root, { now: () => clock.now() });
  const waiting: (string | undefined)[] = [];
  // The store's leases, with each renewal observed (a promise per renewal, instead of waiting a while).
  let renewed: (() => void) | undefined;
  const leases = {
    acquire: store.leases.acquire.bind(store.leases),
    release: store.leases.release.bind(store.leases),
    current: store.leases.current.bind(store.leases),
    renew: async (...a: Parameters<typeof store.leases.renew>) => {
      try {
        return await store.leases.renew(...a);
      } finally {
        renewed?.();
      }
    },
  };
  const nextRenewal = () => new Promise<void>((r) => (renewed = r));
  const keeper = (holder: string) => new LeaseKeeper({ leases, name: "mission", holder, ttlMs: () => TTL, clock, onWaiting: (h) => waiting.push(h) });
  return { clock, store, keeper, waiting, nextRenewal };
}

describe("LeaseKeeper", () => {
  it("waits while a live holder has the lease, says so once, and takes it once that one expires", async () => {
    const s = setup();
    const other = (await s.store.leases.acquire("mission", "other", TTL))!;
    const k = s.keeper("me");
    let got: number | undefined;
    const acquired = k.acquire().then((l) => (got = l?.token));
    // Tries every TTL/5 (each scheduled once the last one's I/O is done), all refused until the other expires.
    let tries = 0;
    for (;;) {
      await s.clock.whenPending();
      if (s.clock.now() + TTL / 5 >= other.expiresAt) break;
      await s.clock.advance(TTL / 5);
      tries++;
    }
    expect(tries).toBe(4);
    expect(got).toBeUndefined();
    expect(s.waiting).toEqual(["other"]);
    await s.clock.advance(TTL / 5); // past the other's expiry: the next try takes it
    await acquired;
    expect(got).toBe(other.token + 1);
    expect(k.current?.holder).toBe("me");
    await k.release();
  });

  it("renews every TTL/3, so the lease never expires while kept", async () => {
    const s = setup();
    const k = s.keeper("me");
    await k.acquire();
    for (let i = 0; i < 10; i++) {
      const renewal = s.nextRenewal();
      await s.clock.advance(TTL / 3);
      await renewal;
      const cur = await s.store.leases.current("mission");
      expect(cur!.expiresAt).toBeGreaterThan(s.clock.now());
    }
    expect(await s.store.leases.acquire("mission", "other", TTL)).toBeUndefined();
    expect(await k.release()).toBe(true);
    expect((await s.store.leases.current("mission"))!.holder).toBe("");
  });

  it("lost resolves when a renewal finds the lease taken over; nothing is held after", async () => {
    const s = setup();
    const k = s.keeper("me");
    let lost = false;
    void k.lost.then(() => (lost = true));
    const mine = (await k.acquire())!;
    // Another process took it over (as after this one paused past the TTL).
    await s.store.leases.release(mine);
    const theirs = (await s.store.leases.acquire("mission", "other", TTL))!;
    await s.clock.advance(TTL / 3); // the renewal (scheduled by acquire)
    await k.lost;
    expect(lost).toBe(true);
    expect(k.current).toBeUndefined();
    expect(s.clock.pending).toBe(0); // no renewal scheduled any more
    expect(await k.release()).toBe(false); // nothing to give back: theirs stays theirs
    expect(await s.store.leases.current("mission")).toMatchObject({ holder: "other", token: theirs.token });
  });

  it("release during the wait ends it: acquire resolves undefined and nothing is taken", async () => {
    const s = setup();
    const other = (await s.store.leases.acquire("mission", "other", TTL))!;
    const k = s.keeper("me");
    const acquired = k.acquire();
    await s.clock.whenPending(); // waiting
    await s.clock.advance(TTL / 5);
    expect(await k.release()).toBe(false);
    expect(await acquired).toBeUndefined();
    expect(s.clock.pending).toBe(0);
    await s.clock.advance(2 * TTL); // the other expires: still nobody takes it
    expect(await s.store.leases.current("mission")).toMatchObject({ holder: "other", token: other.token });
  });
});
