// OpenCode 1 and 2 side by side, as orch runs them: each server's start-up (spawn to listening, and
// to a first finished two-turn session) and memory (RSS of the server process after that session),
// in the test harness (hermetic, scripted model), then the demo mission's makespan (`orch run --demo
// --runtime <version>`, as `npm run demo` runs it, its own server start included). Rounds alternate
// the versions; medians. No target in an issue: the figures compare the versions.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { prepareDemo } from "../src/demo/main.js";
import { reply, steps } from "../test/support/script.js";
import { RUNTIMES, startHarness } from "../test/support/opencode-harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cli = path.join(process.cwd(), "dist", "bin", "orch.js");
type Version = (typeof RUNTIMES)[number];

/** RSS in MB of a process and its descendants (an OpenCode binary may start helpers). */
function treeRssMb(pid: number): number {
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
  const own = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  return own + children.reduce((s, c) => s + treeRssMb(c), 0);
}

async function serverRound(version: Version): Promise<{ startMs: number; firstSessionMs: number; rssMb: number }> {
  const t0 = performance.now();
  const h = await startHarness(steps([{ when: { turn: 0 }, reply: reply.write("a.txt", "a\n") }, { reply: reply.text("done") }]), { runtime: version });
  const startMs = performance.now() - t0;
  try {
    const res = await (await h.runtime.start(h.request(h.repo()), () => {})).done;
    if (!res.ok) throw new Error(`${version}: session failed: ${JSON.stringify(res.error)}`);
    return { startMs, firstSessionMs: performance.now() - t0, rssMb: treeRssMb(h.runtime.server.pid!) };
  } finally {
    await h.close();
  }
}

function demoRound(version: Version): number | undefined {
  const dir = prepareDemo();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "run", "--demo", "--runtime", version, "--dir", dir], { encoding: "utf8" });
  const ms = performance.now() - t0;
  rmSync(path.dirname(dir), { recursive: true, force: true });
  if (r.status === 0) return ms;
  console.log(`  ${version}: orch run exited ${r.status ?? r.signal}, not counted; last output:\n${(r.stdout + r.stderr).slice(-600)}`);
  return undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const servers: Record<Version, Array<Awaited<ReturnType<typeof serverRound>>>> = { opencode1: [], opencode2: [] };
const demos: Record<Version, number[]> = { opencode1: [], opencode2: [] };
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 ? [...RUNTIMES].reverse() : [...RUNTIMES];
  for (const v of order) servers[v].push(await serverRound(v));
  for (const v of order) {
    const ms = demoRound(v);
    if (ms !== undefined) demos[v].push(ms);
  }
}
console.log(`OpenCode servers, median of ${ROUNDS} alternating rounds (2 cores, shared):`);
for (const v of RUNTIMES) {
  const s = servers[v];
  console.log(
    `  ${v}: start ${median(s.map((x) => x.startMs)).toFixed(0)} ms, to a first two-turn session done ${median(s.map((x) => x.firstSessionMs)).toFixed(0)} ms, RSS after it ${median(s.map((x) => x.rssMb)).toFixed(0)} MB; demo makespan (orch run --demo, 6 tasks) ${(median(demos[v]) / 1000).toFixed(1)} s (${demos[v].length} runs: ${demos[v].map((m) => (m / 1000).toFixed(1)).join(", ")})`,
  );
}
