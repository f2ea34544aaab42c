// Issue 18 item 5: pointing orch at a real provider. Against a real `opencode serve` whose config has
// providers that cannot work: one at a closed port, one whose key variable is unset, a built-in one
// without credentials. `orch doctor` names what is missing; `orch run` stops on an unreachable
// provider (exit 4) without charging attempts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/spec/config.js";
import { createRuntime } from "../../src/runtime/create-runtime.js";
import type { OpenCodeRuntime } from "../../src/runtime/opencode.js";
import { runOrch } from "../support/cli.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";

const MISSING_KEY = "ORCH_TEST_PROVIDER_KEY_NOT_SET";
let base: string;
let runtime: OpenCodeRuntime;
let closedPort: number;

/** A port nothing listens on: bound, then released. */
async function closedLocalPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  delete process.env[MISSING_KEY];
  base = mkdtempSync(path.join(tmpdir(), "orch-providers-"));
  closedPort = await closedLocalPort();
  const models = { m: { name: "m", tool_call: true, limit: { context: 8_000, output: 1_000 } } };
  const serverRoot = path.join(base, "server");
  mkdirSync(path.join(serverRoot, ".orchestrator"), { recursive: true });
  writeFileSync(
    path.join(serverRoot, ".orchestrator", "opencode.json"),
    JSON.stringify({
      provider: {
        down: { npm: "@ai-sdk/openai-compatible", options: { baseURL: `http://127.0.0.1:${closedPort}/v1`, apiKey: "k" }, models },
        nokey: { npm: "@ai-sdk/openai-compatible", options: { baseURL: `http://127.0.0.1:${closedPort}/v1`, apiKey: `{env:${MISSING_KEY}}` }, models },
      },
    }),
  );
  // A server someone runs (hermetic: no credentials from this machine's HOME).
  runtime = createRuntime(ConfigSchema.parse({ models: { default: "down/m" } }), serverRoot, { approvals: new ApprovalFiles(serverRoot), stateDir: path.join(base, "state"), hermetic: true });
  await runtime.server.ensureUp();
}, 60_000);
afterAll(async () => {
  await runtime?.close();
  rmSync(base, { recursive: true, force: true });
});

function repo(name: string, config: object): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write a.txt\n- [ ] T2 Write b.txt\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(config));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

describe("orch doctor checks each configured model on the server", () => {
  it("names the missing credential, the unresolved model and the unreachable provider", { timeout: 60_000 }, async () => {
    const dir = repo("doctor", {
      models: { default: "down/m", byRole: { reviewer: "nokey/m", planner: "anthropic/claude-sonnet-4-5", searcher: "down/no-such-model", fixer: "nowhere/m" } },
    });
    const r = await runOrch(["doctor", "--json", "--dir", dir, "--server", runtime.server.url!]);
    expect(r.status, r.stderr).toBe(1);
    const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string }>;
    const detail = (model: string) => checks.find((c) => c.name === `model ${model}`) ?? checks;
    expect(detail("down/m")).toMatchObject({ ok: false, detail: `provider down cannot be reached at http://127.0.0.1:${closedPort}/v1 (ECONNREFUSED)` });
    // The server's own config is not orch's to read: it says the key is empty (an owned server's names the variable: doctor-models.test.ts).
    expect(detail("nokey/m")).toMatchObject({ ok: false, detail: "provider nokey: its apiKey is empty" });
    expect(detail("anthropic/claude-sonnet-4-5")).toMatchObject({ ok: false, detail: expect.stringContaining("provider anthropic: no credentials: set $ANTHROPIC_API_KEY") });
    expect(detail("down/no-such-model")).toMatchObject({ ok: false, detail: 'provider down has no model "no-such-model" (it has m)' });
    expect(detail("nowhere/m")).toMatchObject({ ok: false, detail: 'the server knows no provider "nowhere"' });
  });
});

describe("orch run with a provider that cannot be reached", () => {
  it("stops with exit 4 once the breaker opens, says the provider cannot be reached, charges no attempt", { timeout: 120_000 }, async () => {
    const dir = repo("run", { models: { default: "down/m" }, circuitBreaker: { failures: 2, cooldownSec: 60 }, concurrency: { total: 1 }, retry: { baseMs: 50, maxMs: 100, jitter: 0 } });
    const r = await runOrch(["run", "--dir", dir, "--server", runtime.server.url!]);
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^orch: orch run stopped: the model provider cannot be reached: Cannot connect to API/);
    expect(r.stderr).toContain("An attempt whose model provider could not be reached was not charged");
    const states = ["T1", "T2"].map((id) => path.join(dir, ".orchestrator", "state", `${id}.json`)).filter((f) => existsSync(f));
    expect(states.length).toBeGreaterThan(0);
    for (const f of states) expect(JSON.parse(readFileSync(f, "utf8")).value, f).toMatchObject({ phase: "Pending", attempts: 0, lastError: { code: "provider-unreachable" } });
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("# m\n\n- [ ] T1 Write a.txt\n- [ ] T2 Write b.txt\n");
  });
});
