// spec/ benchmark on a generated mission of 10,000 tasks and 10,000 task files:
//   full load (read + parse + validate) < 1 s, re-parse after a one-line TODO.md change < 20 ms,
//   peak memory < 200 MB. Each beside a raw-read baseline of the same files from the same run.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { DEFAULT_CONFIG } from "../src/spec/config.js";
import { loadMission } from "../src/spec/load.js";
import { createSpecCache } from "../src/spec/mission.js";

const N = 10_000;
const SECTION = 100;
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const verdict = (ok: boolean) => (ok ? "target met" : "TARGET MISSED");

function generate(dir: string): string {
  const lines = ["# Generated mission", "", "Ten thousand tasks in a hundred sections; one section has a code sample.", ""];
  for (let i = 1; i <= N; i++) {
    if ((i - 1) % SECTION === 0) {
      lines.push("", `## Area ${(i - 1) / SECTION + 1}`, "");
      if (i === 5 * SECTION + 1) lines.push("```md", "- [ ] T0 this is an example, not a task", "```", "");
    }
    const deps = i > 3 && i % 3 === 0 ? ` (after T${i - 1}, T${i - 3})` : i > 1 && i % 2 === 0 ? ` (after T${i - 1})` : "";
    const nested = i % 10 === 0 ? "  " : "";
    lines.push(`${nested}- [${i % 7 === 0 ? "x" : " "}] T${i} Implement \`feature${i}\` in module ${i % 97}${deps}`);
  }
  const todo = `${lines.join("\n")}\n`;
  writeFileSync(path.join(dir, "TODO.md"), todo);
  mkdirSync(path.join(dir, "tasks"));
  for (let i = 1; i <= N; i++) {
    const dep = i > 5 && i % 5 === 0 ? `deps: [T${i - 5}]\n` : "";
    writeFileSync(
      path.join(dir, "tasks", `T${i}.md`),
      `---\nid: T${i}\n${dep}type: ${["logic", "test", "docs", "integration"][i % 4]}\nfiles:\n  - src/mod${i % 97}/**\nverify:\n  - node --test test/t${i}.test.js\nbudget:\n  attempts: 3\n  minutes: 20\n---\n## Goal\n\nImplement feature ${i}: parse the input, validate it and write the result.\n\n## Acceptance\n\n- test/t${i}.test.js passes\n- no new dependencies\n`,
    );
  }
  return todo;
}

// The baseline: the quickest plain read of the same files (sequential readFileSync).
function rawRead(dir: string): number {
  const t = performance.now();
  readFileSync(path.join(dir, "TODO.md"), "utf8");
  for (const n of readdirSync(path.join(dir, "tasks"))) readFileSync(path.join(dir, "tasks", n), "utf8");
  return performance.now() - t;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-bench-spec-"));
  try {
    const todo = generate(dir);
    console.log(`generated ${N} tasks (TODO.md ${(todo.length / 1024).toFixed(0)} KiB) and ${N} task files in ${dir}`);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;

    // Full load, cold and warm (each a fresh cache), against raw reads of the same files.
    const raw: number[] = [];
    const full: number[] = [];
    let tasks = 0;
    for (let k = 0; k < 5; k++) {
      raw.push(rawRead(dir));
      const t = performance.now();
      const m = await loadMission(dir, DEFAULT_CONFIG, { cache: createSpecCache() });
      full.push(performance.now() - t);
      tasks = m.tasks.length;
      if (m.problems.some((p) => p.severity === "error")) throw new Error(`unexpected problems: ${JSON.stringify(m.problems.slice(0, 3))}`);
    }
    const fullMed = pct(full, 50);
    const rawMed = pct(raw, 50);
    console.log(`full parse + validate (${tasks} tasks): first ${ms(full[0]!)}, p50 ${ms(fullMed)}; raw read p50 ${ms(rawMed)}; ratio ${(fullMed / rawMed).toFixed(2)}x  [< 1 s: ${verdict(fullMed < 1000)}]`);

    // One-line edits to TODO.md under a warm cache: the watcher reports the one changed path.
    const cache = createSpecCache();
    await loadMission(dir, DEFAULT_CONFIG, { cache });
    const edit: number[] = [];
    const rawTodo: number[] = [];
    let text = todo;
    for (let k = 0; k < 40; k++) {
      const i = 1 + ((k * 2477) % N);
      const before = `] T${i} Implement`;
      const at = text.indexOf(before);
      text = k % 2 ? text.slice(0, at) + `] T${i} Implement (edited ${k})` + text.slice(at + before.length) : text.slice(0, at - 1) + (text[at - 1] === "x" ? " " : "x") + text.slice(at);
      writeFileSync(path.join(dir, "TODO.md"), text);
      let t = performance.now();
      readFileSync(path.join(dir, "TODO.md"), "utf8");
      rawTodo.push(performance.now() - t);
      t = performance.now();
      const m = await loadMission(dir, DEFAULT_CONFIG, { cache, changed: ["TODO.md"] });
      edit.push(performance.now() - t);
      if (m.tasks.length !== N) throw new Error("re-parse lost tasks");
    }
    const e50 = pct(edit, 50);
    const e99 = pct(edit, 99);
    const r50 = pct(rawTodo, 50);
    console.log(`re-parse after a one-line TODO.md change: p50 ${ms(e50)}, p99 ${ms(e99)}; raw read of TODO.md p50 ${ms(r50)}; ratio ${(e50 / r50).toFixed(1)}x  [< 20 ms: ${verdict(e50 < 20)}]`);

    // Memory and a truly cold load, each in a fresh process: one full load vs one raw read.
    const child = (mode: string) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "_spec-child.ts"), dir, mode], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as { maxRSS: number; ms: number; tasks: number };
    };
    const rawChild = child("raw");
    const loadChild = child("load");
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    console.log(`cold load in a fresh process: ${ms(loadChild.ms)} (${loadChild.tasks} tasks); raw read in a fresh process ${ms(rawChild.ms)}; ratio ${(loadChild.ms / rawChild.ms).toFixed(2)}x  [< 1 s: ${verdict(loadChild.ms < 1000)}]`);
    console.log(`peak RSS of that load ${mb(loadChild.maxRSS)}; raw read ${mb(rawChild.maxRSS)}; ratio ${(loadChild.maxRSS / rawChild.maxRSS).toFixed(2)}x  [< 200 MB: ${verdict(loadChild.maxRSS < 200 * 2 ** 20)}]`);
    console.log(`(this process, after all runs: peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, RSS before loading ${mb(rss0)}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
