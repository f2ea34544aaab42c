// Approval files: when the policy says "ask", the request is written to
// .orchestrator/approvals/<task>.md and a person answers by editing its `decision:` line
// (or with `orch approve|reject <id>`). The file is the whole interface: no session waits silently.
// This module owns the file's text; the store (ApprovalFiles) writes it, under its lock, durably.
import path from "node:path";
import type { ApprovalFiles } from "../store/index.js";
import { OrchError } from "../util/index.js";

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

/** Renders the file a person edits. */
function renderApproval(req: ApprovalRequest): string {
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

/** Writes (or replaces) the approval file for a task's pending request; returns its path. */
export function writeApproval(files: ApprovalFiles, req: ApprovalRequest): Promise<string> {
  return files.write(req.taskId, renderApproval(req));
}

/** Parses a decision out of an approval file's text; undefined while pending or unreadable. */
function parseDecision(text: string): Decision | undefined {
  const v = DECISION_RE.exec(text)?.[1]?.toLowerCase();
  if (v === "approve" || v === "approved" || v === "yes" || v === "allow") return "approve";
  if (v === "reject" || v === "rejected" || v === "no" || v === "deny") return "reject";
  return undefined;
}

/** The decision in a task's approval file, if a person has made one. */
export function readDecision(files: ApprovalFiles, taskId: string): Decision | undefined {
  const text = files.read(taskId);
  return text === undefined ? undefined : parseDecision(text);
}

/** Records a decision the way a person would: by rewriting the decision line (on the newest text, under the file's lock). */
export async function decide(files: ApprovalFiles, taskId: string, decision: Decision): Promise<string> {
  const file = files.path(taskId);
  const rel = path.relative(files.root, file);
  const noApproval = () =>
    new OrchError("no-approval", `task ${taskId} has no pending approval`, {
      hint: "Approvals appear in .orchestrator/approvals/ when an agent asks for a permission the policy routes to a person.",
    });
  if (files.read(taskId) === undefined) throw noApproval(); // before taking a lock in a folder that may not exist
  let found = false;
  await files.edit(taskId, (text) => {
    found = text !== "";
    if (found && !DECISION_RE.test(text))
      throw new OrchError("bad-approval", `${rel} has no \`decision:\` line`, { hint: "Add a line `decision: approve` or `decision: reject`." });
    return found ? text.replace(DECISION_RE, `decision: ${decision}`) : undefined;
  });
  if (!found) throw noApproval(); // removed meanwhile (answered)
  return file;
}

/** Removes a task's approval file once its request is answered. */
export function clearApproval(files: ApprovalFiles, taskId: string): Promise<void> {
  return files.remove(taskId);
}
