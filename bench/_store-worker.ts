// One writer process for bench/store.ts: `n` updates to `key`, then prints its per-write latencies.
import { openStore } from "../src/store/open.js";

const [root, key, n] = process.argv.slice(2);
const store = openStore(root!);
const parse = (raw: unknown) => raw as { n: number; pad: string };
const lat: number[] = [];
// Start together: wait for the parent's go line so process start-up is not measured.
await new Promise((r) => process.stdin.once("data", r));
for (let i = 0; i < Number(n); i++) {
  const t = performance.now();
  await store.records.update(key!, parse, (c) => ({ n: (c?.n ?? 0) + 1, pad: c?.pad ?? "x".repeat(800) }));
  lat.push(performance.now() - t);
}
process.stdout.write(`${JSON.stringify(lat)}\n`);
process.exit(0);
