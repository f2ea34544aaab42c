// The demo model through the real runtime on the example mission: the worker writes the task's
// scope with OpenCode's write tool, the task's own verify command passes, the reviewer approves.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/index.js";
import type { OpenCodeRuntime } from "../../src/runtime/opencode.js";
import { renderPrompt, routeModel, workerInput } from "../../src/runtime/roles.js";
import { runReview } from "../../src/runtime/review.js";
import { loadConfig, loadMission } from "../../src/spec/load.js";
import type { Config } from "../../src/spec/config.js";
import type { Mission } from "../../src/spec/model.js";
import { scopeFiles, taskIdOf } from "../../src/demo/demo-script.js";

let base: string;
let root: string;
let runtime: OpenCodeRuntime;
let config: Config;
let mission: Mission;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-demo-"));
  root = path.join(base, "hello");
  cpSync(path.join(process.cwd(), "examples", "hello-mission"), root, { recursive: true });
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", `example ${base}`);
  ({ config } = await loadConfig(root));
  mission = await loadMission(root, config);
  // No demo URL given: the default model is orch-demo/scripted, so createRuntime starts the demo model itself.
  runtime = createRuntime(config, root, { stateDir: path.join(base, "state") });
});
afterAll(async () => {
  await runtime?.close();
  rmSync(base, { recursive: true, force: true });
});

describe("demo model on the example mission", () => {
  it("parses scope and task id out of a worker prompt", () => {
    const t1 = mission.tasks.find((t) => t.id === "T1")!;
    const prompt = renderPrompt("worker", workerInput(t1, {}));
    expect(taskIdOf(prompt)).toBe("T1");
    expect(scopeFiles(prompt)).toEqual(["src/words.js"]);
  });

  it("T1: worker writes src/words.js, its verify command passes, the reviewer approves", async () => {
    const t1 = mission.tasks.find((t) => t.id === "T1")!;
    const model = routeModel(config, t1, "worker");
    expect(model).toBe("orch-demo/scripted");
    const req = { taskId: "T1", attempt: 1, role: "worker" as const, directory: root, model, title: "T1 worker", prompt: renderPrompt("worker", workerInput(t1, {})) };
    const res = await (await runtime.start(req, () => {})).done;
    expect(res.error).toBeUndefined();
    expect(res.text).toContain("src/words.js");
    expect(res.costUsd).toBeGreaterThan(0);
    const verify = spawnSync("sh", ["-c", t1.verify[0]!], { cwd: root, encoding: "utf8" });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const diff = execFileSync("git", ["diff", "--no-color"], { cwd: root, encoding: "utf8" }) || "new file src/words.js";
    const review = await runReview(runtime, { task: t1, diff, directory: root, attempt: 1, model: routeModel(config, t1, "reviewer") }, 2);
    expect(review.ok && review.verdict.approved).toBe(true);
  });
});
