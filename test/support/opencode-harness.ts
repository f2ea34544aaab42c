// Shared harness for tests against a REAL `opencode serve` driven by the scripted model: OpenCode 1 (the
// opencode-linux-x64 package's binary) or OpenCode 2 (@opencode/cli-linux-x64's), by config `runtime`; one
// server per test file and version (start costs 1-3 s), one temp git repo per test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { startScriptedModel, type ScriptedModel, type Script } from "../../src/demo/scripted-model.js";
import type { z } from "zod";
import { ConfigSchema, type Config } from "../../src/spec/config.js";
import { createRuntime, type CreateRuntimeOptions } from "../../src/runtime/create-runtime.js";
import type { OpenCodeRuntime } from "../../src/runtime/opencode.js";
import type { SessionRequest } from "../../src/runtime/types.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";

/** The OpenCode versions the runtime tests run against, each on its own real server. */
export const RUNTIMES = ["opencode1", "opencode2"] as const;

/** What each version calls the tools scripts use, and how it answers a call of a tool it did not offer. */
export const TOOL_NAMES: Record<(typeof RUNTIMES)[number], { bash: string; task: string; unavailable: RegExp }> = {
  opencode1: { bash: "bash", task: "task", unavailable: /tool said: .*unavailable tool 'bash'/i },
  opencode2: { bash: "shell", task: "subagent", unavailable: /tool said: .*No tool named \\"shell\\" is currently available/i },
};

/** A running server + model + runtime, and temp dirs cleaned up by close(). */
export interface Harness {
  model: ScriptedModel;
  runtime: OpenCodeRuntime;
  config: Config;
  /** Root of the "orch repo" (approval files live under it). */
  root: string;
  /** A fresh git repo with a unique first commit (OpenCode keys projects on the root commit). */
  repo(): string;
  /** A session request with sensible defaults. */
  request(directory: string, over?: Partial<SessionRequest>): SessionRequest;
  close(): Promise<void>;
}

/** Creates a temp git repo with one commit. */
export function makeRepo(parent: string): string {
  const dir = mkdtempSync(path.join(parent, "repo-"));
  writeFileSync(path.join(dir, "README.md"), `# test repo ${randomUUID()}\n`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=test@orch", "-c", "user.name=orch-test", "commit", "-qm", "init");
  return dir;
}

/** Starts the scripted model and an orch runtime that owns a hermetic opencode server. */
export async function startHarness(script: Script, configInput: z.input<typeof ConfigSchema> = {}, opts: Partial<CreateRuntimeOptions> = {}): Promise<Harness> {
  const base = mkdtempSync(path.join(tmpdir(), "orch-rt-"));
  const model = await startScriptedModel(script);
  // The scripted model is served as the orch-demo provider; the config chooses it explicitly.
  const config = ConfigSchema.parse({ ...configInput, models: { default: "orch-demo/scripted", ...configInput.models } });
  const root = path.join(base, "root");
  const runtime = createRuntime(config, root, {
    demoModelURL: model.baseURL,
    stateDir: path.join(base, "state"),
    ...opts,
    approvals: opts.approvals ?? new ApprovalFiles(root),
    runtime: { startTimeoutMs: 20_000, approvalPollMs: 100, ...opts.runtime },
  });
  // Start now (in beforeAll's budget), so tests can hand its URL to `orch run --server`.
  await runtime.server.ensureUp();
  let n = 0;
  return {
    model,
    runtime,
    config,
    root,
    repo: () => makeRepo(base),
    request: (directory, over = {}) => ({
      taskId: `T${++n}`,
      attempt: 1,
      role: "worker",
      directory,
      model: config.models.default,
      title: `test session ${n}`,
      prompt: "do the thing",
      ...over,
    }),
    close: async () => {
      await runtime.close();
      await model.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
