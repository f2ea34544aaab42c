// Start-up: how long `orch` takes to do nothing much, as one esbuild bundle (dist/bin/orch.js, what
// users run) and as the tsc output it is built from (dist/cli/main.js), against a baseline measured in
// the same run: node importing the OpenCode SDK, which any script talking to OpenCode pays.
// Runs interleaved, median of 10. No target in an issue: the figures explain `orch run`'s start-up.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const N = 10;
const root = process.cwd();
const repo = mkdtempSync(path.join(tmpdir(), "orch-bench-startup-"));
writeFileSync(path.join(repo, "TODO.md"), "# done\n\n- [x] T1 nothing left to do\n");
mkdirSync(path.join(repo, ".orchestrator"));
writeFileSync(path.join(repo, ".orchestrator", "config.json"), "{}\n");
spawnSync("git", ["init", "-q"], { cwd: repo });

const bundle = path.join(root, "dist", "bin", "orch.js");
const tsc = path.join(root, "dist", "cli", "main.js");
const cases: [string, string[]][] = [
  ["baseline: node + import of the OpenCode SDK", ["--input-type=module", "-e", 'await import("@opencode-ai/sdk/v2")']],
  ["orch --help (bundle)", [bundle, "--help"]],
  ["orch --help (tsc output)", [tsc, "--help"]],
  ["orch status (bundle)", [bundle, "status", "--dir", repo]],
  ["orch status (tsc output)", [tsc, "status", "--dir", repo]],
  // Nothing to run: loads config and mission, takes the lease, one pass, exits. The server is never called.
  ["orch run, nothing to do (bundle)", [bundle, "run", "--dir", repo, "--server", "http://127.0.0.1:9"]],
];
const ms: number[][] = cases.map(() => []);
for (let i = 0; i < N; i++)
  cases.forEach(([name, args], j) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}`);
    ms[j]!.push(performance.now() - t0);
  });
rmSync(repo, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(ms[0]!);
console.log(`start-up, wall time, median of ${N} interleaved runs:`);
cases.forEach(([name], j) => {
  const m = median(ms[j]!);
  console.log(`  ${name.padEnd(46)} ${m.toFixed(0).padStart(5)} ms${j ? `  (${(m / base).toFixed(2)}x the baseline)` : ""}`);
});
