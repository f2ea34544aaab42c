// Start-up: how long `orch` takes to do nothing much, as it ships (dist/bin/orch.js, a launcher
// running the one-file esbuild bundle dist/bin/orch.cjs through V8's code cache) and as the tsc
// output it is built from (dist/cli/main.js), against a baseline measured in the same run: node
// importing the OpenCode SDK, which any script talking to OpenCode pays. The bin's figures are
// with its code cache (written by a first `orch status`), as every run but the first after an
// install or build sees it; one case deletes the cache before each run, to show that first run
// (it compiles the bundle, then writes the cache at exit). Runs interleaved, median of 10.
// No target in an issue: the figures explain `orch run`'s start-up.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const N = 10;
const root = process.cwd();
const repo = mkdtempSync(path.join(tmpdir(), "orch-bench-startup-"));
writeFileSync(path.join(repo, "TODO.md"), "# done\n\n- [x] T1 nothing left to do\n");
mkdirSync(path.join(repo, ".orchestrator"));
writeFileSync(path.join(repo, ".orchestrator", "config.json"), "{}\n");
spawnSync("git", ["init", "-q"], { cwd: repo });

const binDir = path.join(root, "dist", "bin");
const bundle = path.join(binDir, "orch.js");
const tsc = path.join(root, "dist", "cli", "main.js");
/** Deletes the bin's code caches (orch.cjs.<hash>.<kind>.cache) of `kind` (default: all), so that the next such run starts cold. */
const dropCache = (kind = "[a-z]+") => readdirSync(binDir).filter((f) => new RegExp(`^orch\\.cjs\\.[0-9a-f]+(\\.${kind})?\\.cache$`).test(f)).forEach((f) => rmSync(path.join(binDir, f)));
const status = ["status", "--dir", repo];
const cases: [string, string[], (() => void)?][] = [
  ["baseline: node + import of the OpenCode SDK", ["--input-type=module", "-e", 'await import("@opencode-ai/sdk/v2")']],
  ["orch --help (bin)", [bundle, "--help"]],
  ["orch --help (tsc output)", [tsc, "--help"]],
  ["orch status (bin)", [bundle, ...status]],
  ["orch status (bin, no code cache: first run)", [bundle, ...status], () => dropCache("cli")],
  ["orch status (tsc output)", [tsc, ...status]],
  // Nothing to run: loads config and mission, takes the lease, one pass, exits. No session starts
  // (the health check of the early connection fails fast on a closed port).
  ["orch run, nothing to do (bin)", [bundle, "run", "--dir", repo, "--server", "http://127.0.0.1:9"]],
];
const spawnOk = (name: string, args: string[]) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status}`);
};
dropCache(); // a cache from earlier runs may hold other commands' functions; start as an install does
spawnOk("warm-up", [bundle, ...status]);
spawnOk("warm-up", [bundle, "run", "--dir", repo, "--server", "http://127.0.0.1:9"]);
const ms: number[][] = cases.map(() => []);
for (let i = 0; i < N; i++)
  cases.forEach(([name, args, before], j) => {
    before?.();
    const t0 = performance.now();
    spawnOk(name, args);
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
