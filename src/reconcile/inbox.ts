// The inbox (docs/FORMAT.md, "The inbox"): the question a task asks a person once the ladder's last
// rung is reached, in .orchestrator/inbox/<id>.md, and the answer a person writes below its marked
// line (or with `orch answer`). Pure: the text in, the text out; store/ reads and writes the file.
import type { Problem } from "../util/index.js";
import type { HistoryEvent } from "../store/index.js";

/** The line a person's answer goes under; orch reads only what follows the last one. */
const ANSWER_MARK = "<!-- orch: write your answer below this line; orch reads everything under it -->";

/** What a question file says. */
export interface Question {
  id: string;
  title: string;
  /** The agent's own question (its last words when it asked none). */
  question: string;
  /** One line per step tried, in order (triedLines). */
  tried: string[];
  /** The last verify's failing command and its output tail. */
  verify?: string;
  /** The reviewer's last findings. */
  findings: string[];
}

/** Text from an agent or a command, made unable to end the question early or forge the answer line. */
function inert(text: string): string {
  return text.replace(/<!--/g, "&lt;!--").replace(/```/g, "'''").trim();
}

/** The question file's text. */
export function renderQuestion(q: Question): string {
  const lines = [
    `# ${q.id} waits for a person: ${q.title}`,
    "",
    `orch could not make ${q.id} pass. Write your answer under the last line of this file, or run`,
    `\`orch answer ${q.id} "…"\`. The next attempt starts with your answer, on a fresh budget.`,
    "",
    "## The agent's question",
    "",
    inert(q.question) || "(the agent asked nothing)",
    "",
    "## What was tried",
    "",
    ...(q.tried.length ? q.tried.map((l) => `- ${inert(l)}`) : ["- (nothing recorded)"]),
  ];
  if (q.verify) lines.push("", "## The last verify output", "", "```text", inert(q.verify), "```");
  if (q.findings.length) lines.push("", "## The reviewer's findings", "", ...q.findings.map((f) => `- ${inert(f)}`));
  lines.push("", ANSWER_MARK, "", "");
  return lines.join("\n");
}

/** An answer read from a question file: the text under the marked line (empty: not answered yet), or what is wrong with the file. */
export type ReadAnswer = { answer: string } | { problem: Problem };

/** Reads the answer of a question file (`file`: its path for messages). */
export function readAnswer(text: string, file: string, id: string): ReadAnswer {
  const lines = text.split("\n");
  const at = lines.map((l) => l.trim()).lastIndexOf(ANSWER_MARK);
  if (at < 0)
    return {
      problem: {
        code: "inbox-no-answer-line",
        severity: "error",
        file,
        line: 1,
        col: 1,
        message: `the line orch reads the answer under is missing (${ANSWER_MARK})`,
        hint: `Put that line back above your answer, or answer with \`orch answer ${id} "…"\`.`,
      },
    };
  return { answer: lines.slice(at + 1).join("\n").trim() };
}

/** The file's text with `answer` under its last marked line (what was there before replaced); the line is added when missing. */
export function withAnswer(text: string, answer: string): string {
  const lines = text.split("\n");
  const at = lines.map((l) => l.trim()).lastIndexOf(ANSWER_MARK);
  const head = at < 0 ? `${text.replace(/\s*$/, "")}\n\n${ANSWER_MARK}` : lines.slice(0, at + 1).join("\n");
  return `${head}\n\n${answer.trim()}\n`;
}

/** What was tried, one line per step, from the task's history in its current budget (since `from`, ISO). */
export function triedLines(history: readonly HistoryEvent[], from?: string): string[] {
  const out: string[] = [];
  for (const e of history) {
    if (from && e.at < from) continue;
    const n = e.attempt !== undefined ? `attempt ${e.attempt}` : "";
    const said = typeof e.detail?.said === "string" ? `: "${e.detail.said}"` : "";
    if (e.kind === "session-end") out.push(`${n}, ${e.role ?? "session"}${e.error ? ` (${e.error})` : ""}${said}`);
    else if (e.kind === "verify" && e.verdict === "fail") out.push(`${n}, verify failed${e.error ? `: ${e.error}` : ""}`);
    else if (e.kind === "review" && e.verdict === "rejected") out.push(`${n}, the reviewer rejected the change`);
    else if (e.kind === "diff" && e.verdict === "empty") out.push(`${n}, the change was empty`);
    else if (e.kind === "split") out.push(`${n}, split into ${String((e.detail?.into as string[] | undefined)?.join(", ") ?? "subtasks")}`);
    else if (e.kind === "answered") out.push(`a person answered an earlier question: "${String(e.detail?.answer ?? "")}"`);
  }
  return out;
}

/** The agent's own question: its last `Question: …` line, else its last words. */
export function questionOf(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const asked = lines.map((l) => /^\**Question:\**\s*(.+)$/i.exec(l)?.[1]).filter((q): q is string => !!q).at(-1);
  return asked ?? (lines.length ? `(no question; its last words:) ${lines.at(-1)}` : "");
}

/** The last failed verify in `history`: its failing command and that command's output tail. */
export function lastVerifyOutput(history: readonly HistoryEvent[]): string | undefined {
  const v = history.findLast((e) => e.kind === "verify");
  if (v?.verdict !== "fail") return undefined;
  const commands = (v.detail?.commands ?? []) as { command: string; exitCode: number | null; timedOut?: boolean; output: string }[];
  const bad = commands.find((c) => c.exitCode !== 0 || c.timedOut);
  return bad ? `$ ${bad.command}   (${bad.timedOut ? "timed out" : `exit ${bad.exitCode}`})\n${bad.output.trim()}` : v.error;
}

/** The findings of the last review in `history`, when it rejected the change. */
export function lastFindings(history: readonly HistoryEvent[]): string[] {
  const r = history.findLast((e) => e.kind === "review" && e.verdict !== undefined);
  return r?.verdict === "rejected" ? ((r.detail?.findings ?? []) as string[]).map(String) : [];
}
