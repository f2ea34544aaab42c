// Store write latency and throughput: 1, 4 and 16 concurrent writers on one record and on separate
// records, as async writers in one process (what one `orch watch` does) and as separate processes
// (two `orch watch` or CLI commands). Each p50/p99 is also given as a ratio to a plain
// writeFile + rename measured in the same run with the same concurrency.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../src/store/open.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOTAL = 320; // writes per scenario
const PAYLOAD = { n: 0, pad: "x".repeat(800) }; // ~1 KB, the size of a task state record
const parse = (raw: unknown) => raw as typeof PAYLOAD;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (x: number) => x.toFixed(2).padStart(7);

/** W async writers, TOTAL/W writes each; returns per-write latencies and wall time. */
async function run(writers: number, op: (w: number, i: number) => Promise<unknown>): Promise<{ lat: number[]; wallMs: number }> {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < TOTAL / writers; i++) {
        const t = performance.now();
        await op(w, i);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { lat, wallMs: performance.now() - t0 };
}

async function plainWrite(file: string, i: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${i}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ ...PAYLOAD, n: i }, null, 2));
  await fs.rename(tmp, file);
}

/** The durable plain write: what fsync alone costs here, without locks, CAS or fencing. */
async function durableWrite(file: string, i: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${i}.${Math.random().toString(36).slice(2)}.tmp`;
  const fh = await fs.open(tmp, "w");
  await fh.writeFile(JSON.stringify({ ...PAYLOAD, n: i }, null, 2));
  await fh.sync();
  await fh.close();
  await fs.rename(tmp, file);
  const dir = await fs.open(path.dirname(file), "r");
  await dir.sync();
  await dir.close();
}

/** Writer processes (bundled so start-up is quick); latencies reported by each. */
async function runProcs(root: string, writers: number, shared: boolean): Promise<{ lat: number[]; wallMs: number }> {
  const { build } = await import("esbuild");
  const out = path.join(HERE, "../node_modules/.cache/orch-bench/store-worker.mjs");
  await build({ entryPoints: [path.join(HERE, "_store-worker.ts")], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: out, logLevel: "error" });
  const procs = Array.from({ length: writers }, (_, w) =>
    spawn(process.execPath, [out, root, shared ? "bench/shared" : `bench/p${w}`, String(TOTAL / writers)], { stdio: ["pipe", "pipe", "inherit"] }),
  );
  const outputs = procs.map((p) => new Promise<number[]>((resolve) => {
    let buf = "";
    p.stdout!.on("data", (d) => (buf += d));
    p.on("exit", () => resolve(JSON.parse(buf)));
  }));
  await new Promise((r) => setTimeout(r, 1500)); // let every process load before the start signal
  const t0 = performance.now();
  for (const p of procs) p.stdin!.write("go\n");
  const lat = (await Promise.all(outputs)).flat();
  return { lat, wallMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), "orch-bench-store-"));
  const store = openStore(root);
  const base = path.join(root, "plain");
  await fs.mkdir(base);
  console.log(`store writes: ${TOTAL} per row, ~1 KB records; latency per write in ms; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
  console.log("ratio = store / plain writeFile+rename (same concurrency); durable = plain + fsync of file and folder");
  console.log("writers  record    kind        p50      p99   writes/s  | plain p50  plain p99 | ratio p50  ratio p99 | durable p50  ratio");
  const rows: [number, boolean, "async" | "procs"][] = [
    [1, true, "async"], [4, true, "async"], [16, true, "async"], [4, false, "async"], [16, false, "async"],
    [4, true, "procs"], [4, false, "procs"],
  ];
  // Warm-up (JIT, module init, folders) so the first row is not charged for it.
  for (let i = 0; i < 50; i++) {
    await store.records.update("bench/warmup", parse, (c) => ({ ...PAYLOAD, n: (c?.n ?? 0) + 1 }));
    await plainWrite(path.join(base, "warmup.json"), i);
    await durableWrite(path.join(base, "warmup.json"), i);
  }
  let uncontendedP50 = NaN;
  for (const [writers, shared, kind] of rows) {
    const plain = await run(writers, (w, i) => plainWrite(path.join(base, shared ? "shared.json" : `w${w}.json`), i));
    const durable = await run(writers, (w, i) => durableWrite(path.join(base, shared ? "shared.json" : `w${w}.json`), i));
    const key = (w: number) => (shared ? `bench/${kind}-shared-${writers}` : `bench/${kind}-${writers}-w${w}`);
    const st = kind === "async"
      ? await run(writers, (w) => store.records.update(key(w), parse, (c) => ({ ...PAYLOAD, n: (c?.n ?? 0) + 1 })))
      : await runProcs(root, writers, shared);
    const [p50, p99, b50, b99] = [pct(st.lat, 0.5), pct(st.lat, 0.99), pct(plain.lat, 0.5), pct(plain.lat, 0.99)];
    if (writers === 1) uncontendedP50 = p50;
    console.log(
      `${String(writers).padStart(7)}  ${(shared ? "one" : "separate").padEnd(8)}  ${kind.padEnd(6)}  ${fmt(p50)}  ${fmt(p99)}  ${String(Math.round((st.lat.length / st.wallMs) * 1000)).padStart(9)}  | ${fmt(b50)}    ${fmt(b99)}   | ${fmt(p50 / b50)}x ${fmt(p99 / b99)}x | ${fmt(pct(durable.lat, 0.5))}    ${fmt(p50 / pct(durable.lat, 0.5))}x`,
    );
  }
  console.log(`uncontended p50 ${uncontendedP50.toFixed(2)} ms (target < 5 ms): ${uncontendedP50 < 5 ? "met" : "NOT met"}`);
  rmSync(root, { recursive: true, force: true });
}

await main();
