// Issue 18 item 1: with no model configured, orch must not fall back to the demo model and check off
// tasks it never did. `orch run` / `orch watch` exit 2, say how to configure one, and change nothing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runOrch } from "../support/cli.js";

const base = mkdtempSync(path.join(tmpdir(), "orch-nomodel-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Every file under `dir` but .git, with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === ".git") continue;
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** A user's repo: tasks without ids (orch would assign them) and without verify commands, no model in the config. */
function userRepo(name: string, config?: object): string {
  const dir = path.join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# Mission\n\n- [ ] Write hello.txt\n- [ ] Write bye.txt\n- [ ] Write notes.md\n");
  if (config) {
    mkdirSync(path.join(dir, ".orchestrator"));
    writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(config));
  }
  execFileSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

describe("no model configured", () => {
  it.each([["run"], ["watch"]])("orch %s exits 2, says how to configure a model, and writes nothing (no ids, no .orchestrator)", async (cmd) => {
    for (const dir of [userRepo(`${cmd}-bare`), userRepo(`${cmd}-config`, { budget: { attempts: 1 } })]) {
      const before = snapshot(dir);
      const r = await runOrch([cmd, "--dir", dir]);
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain("orch: no model is configured");
      expect(r.stderr).toContain("models.default");
      expect(r.stderr).toContain('README "Pointing orch at a real model"');
      expect(r.stderr).toContain("--demo");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("orch doctor says the model is missing and how to set it, without starting a server", async () => {
    const dir = userRepo("doctor");
    const r = await runOrch(["doctor", "--json", "--dir", dir]);
    expect(r.status).toBe(1);
    const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string; hint?: string }>;
    expect(checks.find((c) => c.name === "model")).toMatchObject({ ok: false, detail: expect.stringContaining("no model is configured"), hint: expect.stringContaining("models.default") });
  });
});
