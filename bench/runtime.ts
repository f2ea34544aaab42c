// Orchestrator overhead: 20 worker sessions at concurrency 4 through OpenCodeRuntime (and, when
// the CLI has `run`, through `orch run --server`) vs a bare SDK loop (create, promptAsync, wait
// for idle, read messages) against the same scripted model and the same server, in the same run.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOpencodeClient } from "@opencode-ai/sdk/v2";
import { startScriptedModel } from "../src/demo/scripted-model.js";
import { steps } from "../src/demo/script.js";
import { createRuntime } from "../src/runtime/index.js";
import { ConfigSchema } from "../src/spec/config.js";

const TASKS = 20;
const CONCURRENCY = 4;
const ROUNDS = 5;
const base = mkdtempSync(path.join(tmpdir(), "orch-bench-rt-"));
let repoSeq = 0;

function repo(): string {
  const dir = path.join(base, `r${++repoSeq}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "README.md"), `bench ${dir}\n`);
  execFileSync("sh", ["-c", "git init -q -b main && git add . && git -c user.email=b@o -c user.name=b commit -qm init"], { cwd: dir });
  return dir;
}

/** Runs `n` jobs with at most `c` at once; resolves to wall ms. */
async function pool(n: number, c: number, job: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) await job(next++);
  }));
  return performance.now() - t0;
}

const model = await startScriptedModel(
  steps([{ when: { turn: 0 }, reply: (r) => ({ kind: "tools", calls: [{ name: "write", args: { filePath: "out.txt", content: `done in ${r.directory}\n` } }] }) }, { reply: { kind: "text", text: "done" } }]),
);
const config = ConfigSchema.parse({ concurrency: { total: CONCURRENCY } });
const runtime = createRuntime(config, base, { demoModelURL: model.baseURL, stateDir: path.join(base, "state") });
const url = await runtime.server.ensureUp();

async function viaRuntime(dirs: string[]): Promise<number> {
  return pool(TASKS, CONCURRENCY, async (i) => {
    const h = await runtime.start({ taskId: `T${i}`, attempt: 1, role: "worker", directory: dirs[i]!, model: "orch-demo/scripted", title: `T${i}`, prompt: `task ${i}` }, () => {});
    const r = await h.done;
    if (!r.ok) throw new Error(`runtime session failed: ${JSON.stringify(r.error)}`);
  });
}

async function viaBareSdk(dirs: string[]): Promise<number> {
  const client = createOpencodeClient({ baseUrl: url });
  const waiters = new Map<string, () => void>();
  const ac = new AbortController();
  const events = await client.global.event({ signal: ac.signal });
  void (async () => {
    try {
      for await (const e of events.stream as AsyncIterable<{ payload?: { type: string; properties?: { sessionID?: string } } }>)
        if (e.payload?.type === "session.idle") waiters.get(e.payload.properties?.sessionID ?? "")?.();
    } catch {
      // aborted at the end
    }
  })();
  const ms = await pool(TASKS, CONCURRENCY, async (i) => {
    const s = await client.session.create({ directory: dirs[i]!, title: `T${i}` });
    const idle = new Promise<void>((r) => waiters.set(s.data!.id, r));
    await client.session.promptAsync({ sessionID: s.data!.id, directory: dirs[i]!, agent: "worker", model: { providerID: "orch-demo", modelID: "scripted" }, parts: [{ type: "text", text: `task ${i}` }] });
    await idle;
    await client.session.messages({ sessionID: s.data!.id, directory: dirs[i]! });
  });
  ac.abort();
  return ms;
}

/** The mission repo for `orch run`: 20 tasks, worker only (verify "true", no review). */
function missionRepo(): string {
  const dir = repo();
  const todo = ["# bench", "", ...Array.from({ length: TASKS }, (_, i) => `- [ ] T${i + 1} task ${i + 1}`)].join("\n") + "\n";
  writeFileSync(path.join(dir, "TODO.md"), todo);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ concurrency: { total: CONCURRENCY }, review: { enabled: false }, verify: { commands: ["true"] } }));
  execFileSync("sh", ["-c", "git add . && git -c user.email=b@o -c user.name=b commit -qm mission"], { cwd: dir });
  return dir;
}

/** The bare SDK loop as its own process; wall ms from spawn to exit. */
async function viaBareProcess(dirs: string[]): Promise<number> {
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, [path.join(process.cwd(), "bench", "_bare-sdk-loop.mjs"), url, String(CONCURRENCY), ...dirs], { stdio: "ignore" });
    p.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`bare SDK loop process exited ${code}`);
  return performance.now() - t0;
}

/** `orch run --server` on the mission; wall ms and the process's peak RSS. */
async function viaOrchRun(dir: string): Promise<{ ms: number; rssKb: number } | undefined> {
  const cli = path.join(process.cwd(), "dist", "bin", "orch.js");
  if (!existsSync(cli)) return undefined;
  const t0 = performance.now();
  let rssKb = 0;
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, [cli, "run", "--dir", dir, "--server", url, "--json"], { stdio: "ignore" });
    // VmHWM is the process's peak RSS so far; sample it until the process exits.
    const t = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1];
        if (hwm) rssKb = Math.max(rssKb, Number(hwm));
      } catch {
        // exited
      }
    }, 100);
    p.on("exit", (c) => (clearInterval(t), resolve(c)));
  });
  const ms = performance.now() - t0;
  if (code !== 0) {
    console.log(`  orch run exited ${code}: not counted`);
    return undefined;
  }
  return { ms, rssKb };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
// Same 20 repos for every loop, warmed once: OpenCode's per-directory start-up (~1 s of CPU)
// would otherwise dominate and hide the overhead being measured.
const dirs = Array.from({ length: TASKS }, () => repo());
await viaBareSdk(dirs);
const bare: number[] = [];
const orch: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  bare.push(await viaBareSdk(dirs));
  orch.push(await viaRuntime(dirs));
}
clearInterval(sampler);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = med(orch) / med(bare);
console.log(`runtime: ${TASKS} sessions @${CONCURRENCY}, ${ROUNDS} interleaved rounds: orch runtime ${orch.map((x) => x.toFixed(0)).join("/")} ms, bare SDK ${bare.map((x) => x.toFixed(0)).join("/")} ms`);
console.log(`  wall-time ratio (median orch / median bare) = ${ratio.toFixed(3)} (target <= 1.10)`);
console.log(`  bench process peak RSS (runtime + scripted model + tsx) = ${(peakRss / 1e6).toFixed(1)} MB (the opencode server is a separate process)`);
// orch run: the whole CLI process (start-up, lease, records, TODO.md writes, verify) in one repo,
// against a bare loop of the same 20 sessions in that same (warmed) repo.
// Each orch run needs a fresh mission (a done mission has nothing to run); all of them are warmed
// in OpenCode first, and the process baseline runs in the same directories.
const mdirs = Array.from({ length: ROUNDS }, () => missionRepo());
for (const d of mdirs) await viaBareSdk(Array.from({ length: TASKS }, () => d));
const bareSame = await viaBareSdk(Array.from({ length: TASKS }, () => mdirs[0]!));
const runs: { ms: number; rssKb: number }[] = [];
const bareProc: number[] = [];
for (const d of mdirs) {
  bareProc.push(await viaBareProcess(Array.from({ length: TASKS }, () => d)));
  const r = await viaOrchRun(d);
  if (r) runs.push(r);
}
let runRatio: number | undefined;
if (runs.length === mdirs.length) {
  const runMs = med(runs.map((r) => r.ms));
  runRatio = runMs / med(bareProc);
  const rssKb = Math.max(...runs.map((r) => r.rssKb));
  console.log(`  orch run --server as a process (${TASKS} tasks, worker + verify "true", no review; state, history and TODO.md written durably): median ${runMs.toFixed(0)} ms`);
  console.log(`    vs the bare SDK loop as a process (bench/_bare-sdk-loop.mjs, same sessions, same dirs): median ${med(bareProc).toFixed(0)} ms → ratio ${runRatio.toFixed(3)} (target <= 1.10)`);
  console.log(`    vs the bare SDK loop in this process (no process start): ${bareSame.toFixed(0)} ms → ratio ${(runMs / bareSame).toFixed(3)}`);
  console.log(`  orch run process peak RSS (VmHWM) = ${(rssKb / 1e3).toFixed(1)} MB (target < 150 MB)`);
} else console.log("  orch run: not measured (no `run` command in dist/, or it failed)");
await runtime.close();
await model.close();
rmSync(base, { recursive: true, force: true });
process.exitCode = ratio <= 1.1 && (runRatio === undefined || runRatio <= 1.1) && runs.every((r) => r.rssKb < 150e3) ? 0 : 1;
