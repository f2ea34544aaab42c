// `orch approve|reject <task>` edit the approval file's decision line; a missing approval is a clear error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { readDecision, writeApproval } from "../../src/runtime/approvals.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "orch-approve-"));
  // The tasks exist: an unknown id is exit 2 before any approval file is looked at.
  writeFileSync(path.join(root, "TODO.md"), "- [ ] T4 Publish\n- [ ] T5 Edit\n- [ ] T1 Nothing asked\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function capture() {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  return { get out() { return out; }, get err() { return err; }, restore: () => (o.mockRestore(), e.mockRestore()) };
}

describe("orch approve / reject", () => {
  it("approve rewrites the decision line and keeps the request", async () => {
    await writeApproval(new ApprovalFiles(root), { taskId: "T4", requestId: "per_9", sessionId: "ses_9", kind: "bash", detail: "npm publish", at: "now" });
    const c = capture();
    const code = await runCli(["approve", "T4", "--dir", root, "--json"]);
    c.restore();
    expect(code).toBe(0);
    expect(JSON.parse(c.out)).toEqual({ task: "T4", decision: "approve", file: path.join(".orchestrator", "approvals", "T4.md") });
    expect(readDecision(new ApprovalFiles(root), "T4")).toBe("approve");
    expect(readFileSync(new ApprovalFiles(root).path("T4"), "utf8")).toContain("npm publish");
  });

  it("reject records a rejection", async () => {
    await writeApproval(new ApprovalFiles(root), { taskId: "T5", requestId: "per_1", sessionId: "ses_1", kind: "edit", detail: "src/x.ts", at: "now" });
    const c = capture();
    const code = await runCli(["reject", "T5", "--dir", root]);
    c.restore();
    expect(code).toBe(0);
    expect(c.out).toContain("T5: rejected");
    expect(readDecision(new ApprovalFiles(root), "T5")).toBe("reject");
  });

  it("a task with no pending approval is a clear error with a hint, non-zero exit", async () => {
    const c = capture();
    const code = await runCli(["approve", "T1", "--dir", root]);
    c.restore();
    expect(code).not.toBe(0);
    expect(c.err).toContain("task T1 has no pending approval");
    expect(c.err).toContain("hint:");
  });
});
