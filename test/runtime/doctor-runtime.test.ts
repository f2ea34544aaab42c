// `orch doctor` says which OpenCode it found and its version: the binary orch would start for config
// `runtime` (or --runtime), or the server at --server (asked, with server.password for OpenCode 2).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOrch } from "../support/cli.js";
import { steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";

let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-doctor-rt-"));
  h = await startHarness(steps([]), { runtime: "opencode2" });
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A repo with a config; doctor's JSON checks, by name. */
async function doctor(name: string, config: object, args: string[]): Promise<Record<string, { ok: boolean; detail: string; hint?: string }>> {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(config));
  const r = await runOrch(["doctor", "--dir", dir, "--json", ...args]);
  const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string; hint?: string }>;
  return Object.fromEntries(checks.map((c) => [c.name, c]));
}

describe("orch doctor names the OpenCode version", () => {
  it("of the binary orch would start: OpenCode 1 by default (auto), OpenCode 2 with --runtime opencode2", { timeout: 60_000 }, async () => {
    const auto = await doctor("auto", {}, []);
    expect(auto.opencode).toMatchObject({ ok: true, detail: expect.stringMatching(/opencode-linux-x64\/bin\/opencode \(1\.\d+\.\d+\): OpenCode 1, runtime auto$/) });
    const two = await doctor("two", {}, ["--runtime", "opencode2"]);
    expect(two.opencode).toMatchObject({ ok: true, detail: expect.stringMatching(/@opencode\/cli-linux-x64\/bin\/opencode \(2\.\d+\.\d+\): OpenCode 2, runtime opencode2$/) });
  });

  it("of a running server: OpenCode 2 with its password; without it, the check fails saying to set server.password", { timeout: 60_000 }, async () => {
    const url = h.runtime.server.url!;
    const withPw = await doctor("server", { server: { password: h.runtime.server.password } }, ["--server", url]);
    expect(withPw.opencode).toMatchObject({ ok: true, detail: expect.stringMatching(new RegExp(`^${url}: OpenCode 2 \\(2\\.\\d+\\.\\d+\\), runtime auto$`)) });
    // The models are then checked on that server (OpenCode 2's model list): the harness's scripted model.
    expect(withPw.model).toMatchObject({ ok: true, detail: "none in the config: the server's default orch-demo/scripted is used" });
    expect(withPw["model orch-demo/scripted"]).toMatchObject({ ok: true, detail: expect.stringContaining("credentials present") });
    const without = await doctor("no-password", {}, ["--server", url]);
    expect(without.opencode).toMatchObject({ ok: false, detail: expect.stringContaining("set server.password") });
    const wrong = await doctor("wrong", { runtime: "opencode1", server: { password: h.runtime.server.password } }, ["--server", url]);
    expect(wrong.opencode).toMatchObject({ ok: false, hint: 'config runtime is "opencode1": set it to "auto" or "opencode2".' });
  });
});
