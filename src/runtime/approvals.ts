// Approval files: when the policy says "ask", the request is written to
// .orchestrator/approvals/<task>.md and a person answers by editing its `decision:` line
// (or with `orch approve|reject <id>`). The file is the whole interface: no session waits silently.
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync, existsSync } from "node:fs";
import path from "node:path";
import { OrchError } from "../util/errors.js";

export type Decision = "approve" | "reject";

/** What is written into an approval file. */
export interface ApprovalRequest {
  taskId: string;
  requestId: string;
  sessionId: string;
  kind: string;
  detail: string;
  at: string;
}

const DECISION_RE = /^decision:[ \t]*(\S*)[ \t]*$/m;

/** Path of the approval file for a task. */
export function approvalPath(root: string, taskId: string): string {
  return path.join(root, ".orchestrator", "approvals", `${taskId}.md`);
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Renders the file a person edits. */
export function renderApproval(req: ApprovalRequest): string {
  return [
    `# Approval needed: ${req.taskId}`,
    "",
    `An agent working on ${req.taskId} asks for permission \`${req.kind}\`:`,
    "",
    "```",
    req.detail,
    "```",
    "",
    `Answer by changing the decision line to \`decision: approve\` or \`decision: reject\`,`,
    `or run \`orch approve ${req.taskId}\` / \`orch reject ${req.taskId}\`.`,
    "",
    "decision: pending",
    "",
    `<!-- request: ${req.requestId} session: ${req.sessionId} asked: ${req.at} -->`,
    "",
  ].join("\n");
}

/** Writes (or replaces) the approval file for a task's pending request. */
export function writeApproval(root: string, req: ApprovalRequest): string {
  const file = approvalPath(root, req.taskId);
  writeAtomic(file, renderApproval(req));
  return file;
}

/** Parses a decision out of an approval file's text; undefined while pending or unreadable. */
export function parseDecision(text: string): Decision | undefined {
  const v = DECISION_RE.exec(text)?.[1]?.toLowerCase();
  if (v === "approve" || v === "approved" || v === "yes" || v === "allow") return "approve";
  if (v === "reject" || v === "rejected" || v === "no" || v === "deny") return "reject";
  return undefined;
}

/** The decision in a task's approval file, if a person has made one. */
export function readDecision(root: string, taskId: string): Decision | undefined {
  const file = approvalPath(root, taskId);
  if (!existsSync(file)) return undefined;
  return parseDecision(readFileSync(file, "utf8"));
}

/** Records a decision the way a person would: by rewriting the decision line. */
export function decide(root: string, taskId: string, decision: Decision): string {
  const file = approvalPath(root, taskId);
  if (!existsSync(file))
    throw new OrchError("no-approval", `task ${taskId} has no pending approval`, {
      hint: "Approvals appear in .orchestrator/approvals/ when an agent asks for a permission the policy routes to a person.",
    });
  const text = readFileSync(file, "utf8");
  if (!DECISION_RE.test(text))
    throw new OrchError("bad-approval", `${path.relative(root, file)} has no \`decision:\` line`, { hint: "Add a line `decision: approve` or `decision: reject`." });
  writeAtomic(file, text.replace(DECISION_RE, `decision: ${decision}`));
  return file;
}

/** Removes a task's approval file once its request is answered. */
export function clearApproval(root: string, taskId: string): void {
  rmSync(approvalPath(root, taskId), { force: true });
}
