// The demo mission's makespan (examples/hello-mission, `orch run --demo`, as `npm run demo` runs it)
// with a git workspace per attempt (`git.workspaces: true`, the default) vs the shared checkout
// (`git.workspaces: false`), alternating in the same run; each run is its own `orch run` process
// with its own OpenCode server start, as a person's run is. Then where the time goes, per task and
// phase, from the mission's history (.orchestrator/history/<id>.jsonl).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { prepareDemo } from "../src/demo/main.js";

/** Rounds of one run of each (order alternating); fewer when the runs are slow (the time budget). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Rounds stop being started after this long (at least MIN_ROUNDS run), to keep the bench ~5 min. */
const BUDGET_MS = 200_000;
const MIN_ROUNDS = 3;
const TARGET = 1.15;
const cli = path.join(process.cwd(), "dist", "bin", "orch.js");

type Mode = "shared" | "workspaces";
/** Per task, ms of each phase (see PHASES). */
type Phases = Record<string, Record<string, number>>;
interface Run {
  ms: number;
  phases: Phases;
}

/**
 * The phases of a task, from its history events: `start` from the moment it could start (its
 * dependencies landed; the process spawn for a task without any, so it holds orch's and the
 * server's start-up) to Running (a workspace is opened before that); `worker` the worker session
 * (session-start to session-end: the OpenCode prompt, including its set-up of a directory it has
 * not served yet); `verify`, `review`; `land` Succeeded to the task's commit or merge.
 */
const PHASES = ["start", "worker", "verify", "review", "land"] as const;

/** The tasks' dependencies, from the `(after T1, T2)` of TODO.md's lines. */
function dependencies(dir: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(path.join(dir, "TODO.md"), "utf8").split("\n")) {
    const m = /^- \[.\] (T\d+)\b(?:.*\(after ([^)]*)\))?/.exec(line);
    if (m) deps.set(m[1]!, m[2] ? m[2].split(/,\s*/) : []);
  }
  return deps;
}

interface Event {
  at: string;
  task: string;
  kind: string;
  to?: string;
}

function phases(dir: string, spawnedAt: number): Phases {
  const hist = path.join(dir, ".orchestrator", "history");
  const events = new Map<string, Event[]>();
  for (const f of readdirSync(hist)) events.set(path.basename(f, ".jsonl"), readFileSync(path.join(hist, f), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Event));
  const t = (task: string, pick: (e: Event) => boolean) => {
    const e = events.get(task)?.find(pick);
    if (!e) throw new Error(`${task}: no such event in the history`);
    return Date.parse(e.at);
  };
  const phase = (to: string) => (e: Event) => e.kind === "phase" && e.to === to;
  const landed = (task: string) => t(task, (e) => e.kind === "merge" || e.kind === "commit");
  const out: Phases = {};
  for (const [task, deps] of dependencies(dir)) {
    const running = t(task, phase("Running"));
    const ready = deps.length ? Math.max(...deps.map(landed)) : spawnedAt;
    out[task] = {
      start: running - ready,
      worker: t(task, (e) => e.kind === "session-end") - t(task, (e) => e.kind === "session-start"),
      verify: t(task, (e) => e.kind === "verify") - t(task, phase("Verifying")),
      review: t(task, (e) => e.kind === "review") - t(task, phase("Reviewing")),
      land: landed(task) - t(task, phase("Succeeded")),
    };
  }
  return out;
}

/** `orch run --demo` on a fresh copy of the demo mission; undefined when it failed (not counted). */
function run(mode: Mode): Run | undefined {
  const dir = prepareDemo();
  const file = path.join(dir, ".orchestrator", "config.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...config, git: { workspaces: mode === "workspaces" } }));
  const spawnedAt = Date.now();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "run", "--demo", "--dir", dir], { encoding: "utf8" });
  const ms = performance.now() - t0;
  try {
    if (r.status !== 0) {
      console.log(`  ${mode}: orch run exited ${r.status ?? r.signal}, not counted; last output:\n${(r.stdout + r.stderr).slice(-800)}`);
      return undefined;
    }
    return { ms, phases: phases(dir, spawnedAt) };
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

/** The median (of an even count, the mean of the two middle values). */
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(1);

const runs: Record<Mode, Run[]> = { shared: [], workspaces: [] };
const pairs: number[] = [];
const began = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  if (round >= MIN_ROUNDS && performance.now() - began > BUDGET_MS) break;
  const order: Mode[] = round % 2 ? ["workspaces", "shared"] : ["shared", "workspaces"];
  const got: Partial<Record<Mode, Run>> = {};
  for (const mode of order) got[mode] = run(mode);
  console.log(`  round ${round + 1} (${order.join(" first, then ")}): shared ${got.shared ? sec(got.shared.ms) : "-"} s, workspaces ${got.workspaces ? sec(got.workspaces.ms) : "-"} s`);
  if (got.shared && got.workspaces) {
    runs.shared.push(got.shared);
    runs.workspaces.push(got.workspaces);
    pairs.push(got.workspaces.ms / got.shared.ms);
  }
}
if (pairs.length === 0) {
  console.log("makespan: no pair measured");
  process.exit(1);
}
const ratio = med(pairs);
const sorted = [...pairs].sort((a, b) => a - b);
console.log(`demo mission (6 tasks, 4 levels of dependencies), orch run --demo, one OpenCode server start per run, ${pairs.length} alternating pairs:`);
console.log(`  makespan median: workspaces ${sec(med(runs.workspaces.map((r) => r.ms)))} s, shared checkout ${sec(med(runs.shared.map((r) => r.ms)))} s`);
console.log(`  ratio workspaces / shared per pair ${sorted.map((x) => x.toFixed(2)).join(" ")}: median ${ratio.toFixed(2)} (spread ${sorted[0]!.toFixed(2)}-${sorted.at(-1)!.toFixed(2)}; target <= ${TARGET}: ${ratio <= TARGET ? "met" : "NOT met"})`);
// Where the time goes: each phase's median over the runs, per task, shared vs workspaces.
const tasks = Object.keys(runs.shared[0]!.phases);
const cell = (mode: Mode, task: string, p: string) => med(runs[mode].map((r) => r.phases[task]![p]!));
console.log(`  per task, median ms shared / workspaces (start: ready to Running, T1's from the spawn; worker: its OpenCode session; land: to the commit or merge):`);
console.log(`  ${"task".padEnd(6)}${PHASES.map((p) => p.padStart(16)).join("")}`);
for (const task of tasks) console.log(`  ${task.padEnd(6)}${PHASES.map((p) => `${cell("shared", task, p).toFixed(0)} / ${cell("workspaces", task, p).toFixed(0)}`.padStart(16)).join("")}`);
const total = (mode: Mode, p: string) => tasks.reduce((s, task) => s + cell(mode, task, p), 0);
console.log(`  ${"sum".padEnd(6)}${PHASES.map((p) => `${total("shared", p).toFixed(0)} / ${total("workspaces", p).toFixed(0)}`.padStart(16)).join("")}`);
process.exitCode = ratio <= TARGET ? 0 : 1;
