// A store client run as a real process by the store tests: `node --import tsx worker.ts <mode> <json>`.
// It prints one JSON line per event on stdout, so tests wait on events rather than on sleeps.
import { createHash } from "node:crypto";
import { z } from "zod";
import { openStore } from "../../src/store/open.js";
import { fenceOf } from "../../src/store/leases.js";

const [mode, rawArgs] = process.argv.slice(2);
const args = JSON.parse(rawArgs ?? "{}");
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const Counter = z.object({ n: z.number(), by: z.record(z.string(), z.number()).default({}) }).strict();
/** A padded payload whose checksum proves the file was never torn. */
const Big = z.object({ n: z.number(), pad: z.string(), sum: z.string() }).strict();
const sum = (n: number, pad: string) => createHash("sha1").update(`${n}:${pad}`).digest("hex");

async function main(): Promise<void> {
  const store = openStore(args.root, {
    lockStaleMs: args.staleMs,
    beforeRename: mode === "pause-before-rename" ? pauseOnce() : undefined,
  });
  if (mode === "count") {
    // Each iteration: +1 on the shared record and on this worker's own record.
    for (let i = 0; i < args.n; i++) {
      const shared = await store.records.update("count/shared", Counter.parse, (c) => ({
        n: (c?.n ?? 0) + 1,
        by: { ...(c?.by ?? {}), [args.id]: (c?.by?.[args.id] ?? 0) + 1 },
      }));
      const own = await store.records.update(`count/own-${args.id}`, Counter.parse, (c) => ({ n: (c?.n ?? 0) + 1, by: {} }));
      say({ shared: shared.version, own: own.version });
    }
    say({ done: true });
  } else if (mode === "crash-loop") {
    // Updates until killed; payload sizes vary so a torn write could not parse or match its checksum.
    for (;;) {
      const r = await store.records.update(args.key, Big.parse, (c) => {
        const n = (c?.n ?? 0) + 1;
        const pad = "x".repeat(1000 + ((n * 7919) % 60_000));
        return { n, pad, sum: sum(n, pad) };
      });
      say({ v: r.version, n: r.value.n });
    }
  } else if (mode === "lease") {
    const lease = await store.leases.acquire(args.lease, args.holder, args.ttlMs);
    say({ lease });
    if (!lease) return;
    await store.records.update(args.key, Counter.parse, (c) => ({ n: (c?.n ?? 0) + 1, by: { [args.holder]: lease.token } }), fenceOf(lease));
    say({ wrote: 1 });
    // The test pauses this process here (SIGSTOP) and resumes it after another took over.
    await waitForLine();
    try {
      await store.records.update(args.key, Counter.parse, (c) => ({ n: (c?.n ?? 0) + 100, by: { [args.holder]: lease.token } }), fenceOf(lease));
      say({ wrote: 2 });
    } catch (err) {
      say({ refused: (err as { code?: string }).code, message: (err as Error).message });
    }
  } else if (mode === "acquire") {
    say({ ready: true });
    await new Promise((r) => process.stdin.once("data", r)); // all start together
    say({ lease: (await store.leases.acquire(args.lease, args.holder, args.ttlMs)) ?? null });
  } else if (mode === "pause-before-rename") {
    try {
      const r = await store.records.update(args.key, Counter.parse, (c) => ({ n: (c?.n ?? 0) + 1000, by: {} }));
      say({ wrote: r.version });
    } catch (err) {
      say({ refused: (err as { code?: string }).code, message: (err as Error).message });
    }
  } else if (mode === "hold-lock") {
    // Holds a record's lock (inside beforeRename) until told to go on.
    const s2 = openStore(args.root, { lockStaleMs: args.staleMs, beforeRename: async () => { say({ holding: true }); await waitForLine(); } });
    await s2.records.update(args.key, Counter.parse, (c) => ({ n: (c?.n ?? 0) + 1, by: {} }));
    say({ released: true });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await store.close();
}

function pauseOnce() {
  let paused = false;
  return async () => {
    if (paused) return;
    paused = true;
    say({ beforeRename: true });
    await waitForLine(); // the test SIGSTOPs us here, lets the lock go stale, then resumes and writes a line
  };
}

function waitForLine(): Promise<void> {
  return new Promise((resolve) => process.stdin.once("data", () => resolve()));
}

main().then(
  () => process.exit(0),
  (err) => {
    say({ error: String(err), code: (err as { code?: string }).code });
    process.exit(1);
  },
);
