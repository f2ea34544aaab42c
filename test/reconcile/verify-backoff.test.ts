// The verify runner with real processes, and the pure backoff and breaker rules.
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runVerify } from "../../src/reconcile/verify.js";
import { backoffMs } from "../../src/reconcile/backoff.js";
import { CLOSED, breakerAllowance, breakerAt, breakerOnResult, breakerOnStart } from "../../src/reconcile/breaker.js";

const cwd = mkdtempSync(path.join(tmpdir(), "orch-verify-"));

describe("verify", () => {
  it("runs in order in the task's directory, stops at the first failure, keeps the output tail", async () => {
    const r = await runVerify(["pwd", "echo out; echo err >&2; exit 4", "echo never"], { cwd, timeoutMs: 5000 });
    expect(r.ok).toBe(false);
    expect(r.commands.map((c) => c.exitCode)).toEqual([0, 4]);
    expect(r.commands[0]!.output.trim()).toBe(cwd);
    expect(r.commands[1]!.output).toMatch(/out\nerr|err\nout/);
  });
  it("a timeout kills the command and its children, and says so", async () => {
    const t0 = Date.now();
    const r = await runVerify(["sleep 30 & sleep 30; wait"], { cwd, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.commands[0]).toMatchObject({ timedOut: true, exitCode: null });
    expect(r.commands[0]!.output).toContain("timed out after 300 ms");
  });
  it("keeps only the last 4 KB of a long output; no commands passes", async () => {
    const r = await runVerify(["head -c 100000 /dev/zero | tr '\\\\0' a; echo END"], { cwd, timeoutMs: 5000 });
    expect(r.commands[0]!.output.length).toBeLessThanOrEqual(4096);
    expect(r.commands[0]!.output.trim().endsWith("END")).toBe(true);
    expect((await runVerify([], { cwd, timeoutMs: 1000 })).ok).toBe(true);
  });
});

describe("backoff", () => {
  const retry = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
  it.each([
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [4, 0.5, 8000],
    [5, 0.5, 10_000],
    [9, 0.5, 10_000],
    [1, 0, 800],
    [1, 0.999, 1200],
    [9, 0.999, 10_000],
  ])("failure %i, rand %f → %i ms", (n, rand, want) => {
    expect(backoffMs(n, retry, rand)).toBe(want);
  });
});

describe("circuit breaker", () => {
  const cfg = { failures: 2, cooldownSec: 10 };
  it("opens after N infrastructure failures, half-opens after the cooldown for one probe, closes on success", () => {
    let b = breakerOnResult(CLOSED, "infrastructure", 0, cfg);
    expect(b.status).toBe("closed");
    b = breakerOnResult(b, "other", 1, cfg); // a model error says nothing about the backend
    b = breakerOnResult(b, "infrastructure", 2, cfg);
    expect(b.status).toBe("open");
    expect(breakerAllowance(breakerAt(b, 5_000, cfg))).toBe(0);
    b = breakerAt(b, 12_000, cfg);
    expect(b.status).toBe("half-open");
    expect(breakerAllowance(b)).toBe(1);
    b = breakerOnStart(b);
    expect(breakerAllowance(b)).toBe(0);
    expect(breakerOnResult(b, "infrastructure", 13_000, cfg)).toMatchObject({ status: "open", openedAt: 13_000 });
    expect(breakerOnResult(b, "ok", 13_000, cfg)).toEqual(CLOSED);
  });
});
