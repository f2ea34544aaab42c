// From `orch plan` to the first task dispatched under a running `orch watch` (docs/PLAN.md §6). Each
// round: a fresh mission in a git repo, `orch watch --json` started and idle, then `orch plan "goal"`
// spawned; the figures are the plan command's own time (spawn to exit), the time to the watch's first
// `phase → Running` event of a planned task (its dispatch), and the planner's tokens from the
// history. The model is the scripted one (one glob call, then a three-task plan; workers write their
// file), so the time is orch's and OpenCode's, not a real model's thinking. Two ways of running the
// planner: on the watch's server (--server, no server start) and on a server `orch plan` starts itself
// (a provider in .orchestrator/opencode.json pointing at the scripted model: what a person without
// --server runs). No target: the figures are reported.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { startScriptedModel, type ModelRequest } from "../src/demo/scripted-model.js";
import { reply, steps } from "../test/support/script.js";
import { runProcess } from "../test/support/cli.js";
import { createRuntime } from "../src/runtime/create-runtime.js";
import { ConfigSchema } from "../src/spec/config.js";
import { ApprovalFiles } from "../src/store/approval-files.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const cli = path.join(process.cwd(), "dist", "bin", "orch.js");
const base = mkdtempSync(path.join(tmpdir(), "orch-bench-plan-"));

const task = (id: string, deps: string[]) => ({ id, title: `Coupon step ${id}`, type: "logic", deps, files: [`src/${id}.txt`], verify: [`test -s src/${id}.txt`], body: `Write src/${id}.txt.`, acceptance: [`src/${id}.txt is not empty`] });
const PLAN = JSON.stringify({ summary: "three steps", tasks: [task("N1", []), task("N2", ["N1"]), task("N3", [])] });

const model = await startScriptedModel(
  steps([
    { when: { role: "planner", turn: 0 }, reply: reply.tools({ name: "glob", args: { pattern: "**/*" } }) },
    { when: { role: "planner" }, reply: reply.text(PLAN) },
    { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, /Write (src\/\S+\.txt)/.exec(r.lastUser)?.[1] ?? "src/x.txt"), "done\n") },
    { when: { role: "reviewer" }, reply: reply.text(JSON.stringify({ approved: true, summary: "ok", findings: [] })) },
  ]),
);
// The watch's server: owned by this process, hermetic, serving the scripted model as orch-demo.
const config = ConfigSchema.parse({ models: { default: "orch-demo/scripted" } });
const runtime = createRuntime(config, path.join(base, "root"), { demoModelURL: model.baseURL, stateDir: path.join(base, "state"), approvals: new ApprovalFiles(path.join(base, "root")) });
const url = await runtime.server.ensureUp();

/** A fresh mission; `own`: the planner's server is orch plan's own, reaching the model through .orchestrator/opencode.json. */
function mission(n: number, own: boolean): string {
  const dir = path.join(base, `m${n}`);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n## Core\n\n- [x] T1 Cart model\n");
  writeFileSync(path.join(dir, "README.md"), `# shop ${n} ${base}\n`);
  const cfg = own ? { models: { default: "bench/scripted" }, sandbox: "off" } : {};
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(cfg));
  if (own)
    writeFileSync(
      path.join(dir, ".orchestrator", "opencode.json"),
      JSON.stringify({ provider: { bench: { npm: "@ai-sdk/openai-compatible", options: { baseURL: model.baseURL, apiKey: "none" }, models: { scripted: { tool_call: true, limit: { context: 128000, output: 8192 } } } } } }),
    );
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=b@orch", "-c", "user.name=b", "commit", "-qm", "mission");
  return dir;
}

/** A hermetic environment for an `orch plan` that starts its own server (no model catalogue fetch, no plugin install). */
function planEnv(): NodeJS.ProcessEnv {
  const home = path.join(base, "plan-home");
  const cfgDir = path.join(home, ".config", "opencode");
  mkdirSync(path.join(cfgDir, "node_modules"), { recursive: true });
  writeFileSync(path.join(cfgDir, "package-lock.json"), JSON.stringify({ name: "opencode", lockfileVersion: 3, requires: true, packages: { "": { dependencies: { "@opencode-ai/plugin": "*" } } } }));
  writeFileSync(path.join(cfgDir, "package.json"), JSON.stringify({ dependencies: { "@opencode-ai/plugin": "*" } }));
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_DATA_HOME: path.join(home, ".local", "share"), XDG_CACHE_HOME: path.join(home, ".cache"), XDG_STATE_HOME: path.join(home, ".local", "state"), OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1", OPENCODE_DISABLE_CLAUDE_CODE: "1" };
}

interface Round {
  plan: number;
  dispatch: number;
  tokens: number;
}

async function round(n: number, own: boolean): Promise<Round | undefined> {
  const dir = mission(n, own);
  const watch = spawn(process.execPath, [cli, "watch", "--json", "--server", url, "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  const lines = createInterface({ input: watch.stdout });
  let idle!: () => void;
  const idled = new Promise<void>((r) => (idle = r));
  let dispatched!: (at: number) => void;
  const dispatch = new Promise<number>((r) => (dispatched = r));
  lines.on("line", (l) => {
    const e = JSON.parse(l) as { type: string; to?: string; task?: string };
    if (e.type === "idle") idle();
    if (e.type === "phase" && e.to === "Running") dispatched(performance.now());
  });
  try {
    await idled;
    const t0 = performance.now();
    // Not spawnSync: the scripted model answers from this process's event loop.
    const r = await runProcess(process.execPath, [cli, "plan", "Add discount coupons", "--json", ...(own ? [] : ["--server", url]), "--dir", dir], undefined, { env: own ? planEnv() : process.env });
    const planMs = performance.now() - t0;
    if (r.status !== 0) {
      console.log(`  round ${n}: orch plan exited ${r.status}, not counted: ${(r.stdout + r.stderr).slice(-600)}`);
      return undefined;
    }
    const out = JSON.parse(r.stdout) as { spend: { tokens: number } };
    const at = await Promise.race([dispatch, new Promise<number>((_, rej) => setTimeout(() => rej(new Error("no dispatch within 60 s")), 60_000))]);
    return { plan: planMs, dispatch: at - t0, tokens: out.spend.tokens };
  } finally {
    watch.kill("SIGTERM");
    await new Promise((r) => watch.once("close", r));
    const hist = readFileSync(path.join(dir, ".orchestrator", "history", "mission.jsonl"), "utf8");
    if (!hist.includes('"kind":"plan"')) console.log(`  round ${n}: no plan event in the history`);
  }
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2);

try {
  let n = 0;
  for (const own of [false, true]) {
    const got: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await round(++n, own);
      if (r) got.push(r);
      if (r) console.log(`  ${own ? "own server" : "--server"} round ${i + 1}: orch plan ${sec(r.plan)} s, first task dispatched ${sec(r.dispatch)} s after it started, planner ${r.tokens} tokens`);
    }
    if (!got.length) continue;
    console.log(
      `orch plan ${own ? "starting its own OpenCode server" : "on the watch's server (--server)"}, ${got.length} rounds: median orch plan ${sec(med(got.map((r) => r.plan)))} s, ` +
        `to the first dispatch under orch watch ${sec(med(got.map((r) => r.dispatch)))} s (spread ${sec(Math.min(...got.map((r) => r.dispatch)))}-${sec(Math.max(...got.map((r) => r.dispatch)))}), planner tokens ${med(got.map((r) => r.tokens))}`,
    );
  }
} finally {
  await runtime.close();
  await model.close();
  rmSync(base, { recursive: true, force: true });
}
