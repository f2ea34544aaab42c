// `orch context` and `orch doctor` run as a user would: the built CLI in a child process.
import { rmSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_NATIVE } from "../native/binary.js";
import { makeFixtureRepo } from "./fixture.js";
import { runOrch } from "../support/cli.js";

let root: string;

async function orch(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runOrch([...args, "--dir", root]);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  root = makeFixtureRepo();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("orch context", () => {
  it("prints the pack with its token count", async () => {
    const r = await orch("context", "T1", "--budget", "800");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# Context for T1: Add a sweep to the lease manager");
    expect(r.stdout).toMatch(new RegExp(`— \\d+ tokens \\(budget 800, estimate chars/4, ${HAVE_NATIVE ? "native" : "fallback"} tools`));
  });
  it("--json gives the pack as data", async () => {
    const r = await orch("context", "T1", "--json", "--fallback");
    const j = JSON.parse(r.stdout) as { task: string; tools: string; tokens: number; budget: number; items: unknown[]; wholeFileTokens: number };
    expect(j).toMatchObject({ task: "T1", tools: "fallback", budget: 6000 });
    expect(j.tokens).toBeGreaterThan(0);
    expect(j.tokens).toBeLessThanOrEqual(6000);
    expect(j.wholeFileTokens).toBeGreaterThan(0);
  });
  it("names an unknown task and exits 2 without a stack", async () => {
    const r = await orch("context", "T99");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("orch: no task T99 in TODO.md");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("orch doctor", () => {
  it("reports node, opencode, orch-native, the config, the sandbox and the model (none configured here)", async () => {
    const r = await orch("doctor", "--json");
    const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string }>;
    expect(checks.map((c) => c.name)).toEqual(["node", "opencode", "orch-native", "config", "sandbox", "model"]);
    expect(checks[5]).toMatchObject({ ok: false, detail: expect.stringContaining("no model is configured") });
    expect(checks[0]).toMatchObject({ ok: true, detail: `v${process.versions.node}` });
    expect(checks[2]!.ok).toBe(HAVE_NATIVE);
    expect(checks[3]!.ok).toBe(true);
  });
  it("fails on an invalid config with the file position", async () => {
    mkdirSync(path.join(root, ".orchestrator"), { recursive: true });
    writeFileSync(path.join(root, ".orchestrator/config.json"), '{ "context": { "nativePool": 0 } }\n');
    try {
      const r = await orch("doctor");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL config\s+\.orchestrator\/config\.json:1:\d+/);
    } finally {
      rmSync(path.join(root, ".orchestrator"), { recursive: true, force: true });
    }
  });
});
