// `orch retry` through the built CLI: several ids, --failed, a done task, a damaged record, bad input.
// State records are written as files (envelopes), as orch leaves them on disk.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runOrch } from "../support/cli.js";
import { freshState } from "../../src/store/task-state-schema.js";

const AT = "2026-01-01T00:00:00.000Z";

/** A mission T1..T4 with the given recorded phases; returns its root. */
function repo(phases: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "orch-retry-"));
  writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 One\n- [x] T2 Two\n- [ ] T3 Three\n- [ ] T4 Four\n");
  mkdirSync(path.join(root, ".orchestrator", "state"), { recursive: true });
  writeFileSync(path.join(root, ".orchestrator", "config.json"), "{}\n");
  for (const [id, phase] of Object.entries(phases))
    writeFileSync(path.join(root, ".orchestrator", "state", `${id}.json`), JSON.stringify({ version: 2, fences: {}, value: { ...freshState(id, "g", AT), phase } }));
  return root;
}

const orch = (root: string, ...args: string[]) => runOrch(["retry", "--dir", root, ...args]);
const requests = (root: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(root, ".orchestrator", "control", "requests.json"), "utf8")).value.retry;
const history = (root: string, id: string) =>
  readFileSync(path.join(root, ".orchestrator", "history", `${id}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l));

describe.concurrent("orch retry (CLI)", () => {
  it("takes several ids: one request each, noted in each task's history", async () => {
    const root = repo({ T1: "Failed", T2: "Succeeded", T3: "Failed" });
    const r = await orch(root, "T1", "T2");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^retry of T1 requested \(was Failed\)$/m);
    expect(r.stdout).toMatch(/^retry of T2 requested \(was Succeeded: it is redone\)$/m);
    expect(Object.keys(requests(root)).sort()).toEqual(["T1", "T2"]);
    for (const id of ["T1", "T2"]) expect(history(root, id).at(-1)).toMatchObject({ kind: "retry-requested", task: id });
  });

  it("--failed asks for every Failed task and nothing else", async () => {
    const root = repo({ T1: "Failed", T2: "Succeeded", T3: "Failed", T4: "Pending" });
    const r = await orch(root, "--failed");
    expect(r.status, r.stderr).toBe(0);
    expect(Object.keys(requests(root)).sort()).toEqual(["T1", "T3"]);
    const none = await orch(repo({ T2: "Succeeded" }), "--failed");
    expect(none.status).toBe(0);
    expect(none.stdout).toBe("no task has failed; nothing to retry\n");
  });

  it("a damaged state record is repaired as the loop does (moved aside, rebuilt from history), not thrown", async () => {
    const root = repo({});
    const dir = path.join(root, ".orchestrator");
    writeFileSync(path.join(dir, "state", "T3.json"), "{ half-written");
    mkdirSync(path.join(dir, "history"));
    writeFileSync(path.join(dir, "history", "T3.jsonl"), `${JSON.stringify({ at: AT, task: "T3", kind: "phase", from: "Running", to: "Failed", attempt: 2 })}\n`);
    const r = await orch(root, "T3");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\.orchestrator\/state\/T3\.json: .*moved aside to \.orchestrator\/state\/T3\.corrupt-.*rebuilt from history/);
    expect(r.stdout).toMatch(/^retry of T3 requested \(was Failed\)$/m);
    const kept = readdirSync(path.join(dir, "state")).filter((n) => n.includes(".corrupt-"));
    expect(kept.map((n) => readFileSync(path.join(dir, "state", n), "utf8"))).toEqual(["{ half-written"]);
    expect(JSON.parse(readFileSync(path.join(dir, "state", "T3.json"), "utf8")).value).toMatchObject({ phase: "Failed", attempts: 2 });
    expect(history(root, "T3").map((e) => e.kind)).toEqual(["phase", "state-rebuilt", "retry-requested"]);
  });

  it("bad input exits 2 with a clear message and writes no request: unknown id, never run, no ids, ids with --failed", async () => {
    const root = repo({ T1: "Failed" });
    for (const [args, message] of [
      [["T1", "T99"], "orch: no task T99 in TODO.md\n"],
      [["T1", "T4"], "orch: task T4 has not run yet\n"],
      [[], "orch: name task ids, or pass --failed for every failed task\n"],
      [["T1", "--failed"], "orch: pass either task ids or --failed, not both\n"],
    ] as const) {
      const r = await orch(root, ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(path.join(root, ".orchestrator"))).not.toContain("control");
  });
});
