// One task's details: what the board knows of it, then what `orch show` reports (fetched from
// /api/task/<id>), and how to steer it: the page only reads, the commands and files change things.
import type { Board, BoardTask } from "../wire.js";
import { elapsed, h, spendText } from "./dom.js";

/** The part of `orch show --json`'s report the panel shows. */
interface Report {
  phase?: string;
  lastError?: { code: string; message: string };
  verify?: { ok: boolean; at: string; commands: { command: string; exitCode: number | null; timedOut: boolean; output: string }[] };
  review?: { approved: boolean; summary: string; findings: string[] };
  sessions: { id: string; role: string; attempt: number; outcome?: string; said?: string; open: string }[];
  diff: { commits: { sha: string; subject: string }[]; note?: string };
}

/** Renders the panel for task `t`; `report` fills in once fetched. */
export function drawDetails(box: HTMLElement, board: Board, t: BoardTask, report: Report | undefined, close: () => void): void {
  const closeBtn = h("button", { class: "close", "aria-label": "Close" }, "×");
  closeBtn.addEventListener("click", close);
  const started = t.startedAt ? Date.parse(t.startedAt) : undefined;
  const ended = t.finishedAt ? Date.parse(t.finishedAt) : Date.now();
  const commit = t.commit ?? report?.diff.commits[0]?.sha;
  const parts: (Node | undefined)[] = [
    closeBtn,
    h("h2", {}, h("span", { "data-field": "id" }, t.id), " ", h("span", { "data-field": "title" }, t.title)),
    h("p", {}, h("span", { class: "pill", "data-state": t.state, "data-field": "state" }, t.state), t.critical ? " on the critical path" : "", t.reason ? h("div", { "data-field": "reason" }, t.reason) : undefined),
    rows([
      ["attempts", String(t.attempts)],
      ["elapsed", started !== undefined ? elapsed(ended - started) : "not started"],
      ["waits for", t.blockedBy.join(", ") || "nothing"],
      ["deps", t.deps.join(", ") || "none"],
      ["branch", t.branch ?? "none now"],
      ["commit", commit ?? "not merged"],
      ["spent", spendText(t.spend)],
      ...Object.entries(t.spend.roles).map(([role, sp]): [string, string] => [`  ${role}`, spendText(sp)]),
    ]),
    t.inbox !== undefined ? section("Question waiting for you", h("pre", { "data-field": "inbox" }, t.inbox), h("p", {}, `Answer with orch answer ${t.id} "…", or under the marked line of .orchestrator/inbox/${t.id}.md`)) : undefined,
    steer(board, t),
    report ? reportPart(report) : h("p", { class: "muted", "data-field": "loading" }, "loading orch show…"),
  ];
  box.replaceChildren(...parts.filter((p): p is Node => p !== undefined));
}

function rows(list: [string, string][]): HTMLElement {
  return h("table", { class: "facts" }, ...list.map(([k, v]) => h("tr", { "data-field": k.trim() }, h("th", {}, k), h("td", {}, v))));
}

function section(title: string, ...body: (Node | undefined)[]): HTMLElement {
  return h("section", {}, h("h3", {}, title), ...body);
}

/** What a person can do about the task, as commands to copy or the line to edit. */
function steer(board: Board, t: BoardTask): HTMLElement {
  const cmds: [string, string][] = [];
  if (t.state === "Failed") cmds.push([`orch retry ${t.id}`, "run it again with a fresh budget"]);
  if (t.state === "Succeeded" || t.state === "done") cmds.push([`orch retry ${t.id}`, "redo it (unchecks its box)"]);
  if (t.state === "Suspended") cmds.push([`orch resume ${t.id}`, "let it run again"]);
  else if (t.state !== "Succeeded" && t.state !== "done") cmds.push([`orch suspend ${t.id}`, "stop it, keep it in the list"]);
  if (t.state === "AwaitingApproval") cmds.push([`orch approve ${t.id}`, "allow what it asks"], [`orch reject ${t.id}`, "deny it"]);
  if (t.state === "WaitingForPerson" || t.inbox !== undefined) cmds.push([`orch answer ${t.id} "…"`, `answer its question (or write under the marked line of .orchestrator/inbox/${t.id}.md)`]);
  cmds.push([`orch show ${t.id}`, "the full report, with the diff"]);
  return section(
    "Steer (the board only reads)",
    h(
      "ul",
      { class: "steer" },
      ...cmds.map(([cmd, why]) => {
        const copy = h("button", { type: "button" }, "copy");
        copy.addEventListener("click", () => void navigator.clipboard?.writeText(cmd).then(() => (copy.textContent = "copied")));
        return h("li", {}, h("code", { "data-command": cmd }, cmd), copy, " ", h("span", { class: "muted" }, why));
      }),
      h("li", {}, "or edit ", h("code", {}, `${board.todoFile}:${t.line}`), h("span", { class: "muted" }, " (its line: the box, deps, title)")),
    ),
  );
}

function reportPart(r: Report): HTMLElement {
  const out = h("div", { "data-field": "report" });
  if (r.lastError) out.append(section("Last error", h("pre", {}, `${r.lastError.code}: ${r.lastError.message}`)));
  out.append(
    section(
      "Last verify",
      ...(r.verify
        ? [h("p", { "data-field": "verify" }, `${r.verify.ok ? "passed" : "failed"} at ${r.verify.at}`), ...r.verify.commands.map((c) => h("pre", {}, `$ ${c.command} → ${c.timedOut ? "timed out" : `exit ${c.exitCode}`}\n${c.output.trimEnd().split("\n").slice(-30).join("\n")}`))]
        : [h("p", { class: "muted", "data-field": "verify" }, "not run yet")]),
    ),
  );
  out.append(
    section(
      "Review",
      ...(r.review ? [h("p", { "data-field": "review" }, `${r.review.approved ? "approved" : "rejected"}: ${r.review.summary}`), h("ul", {}, ...r.review.findings.map((f) => h("li", {}, f)))] : [h("p", { class: "muted", "data-field": "review" }, "no verdict yet")]),
    ),
  );
  out.append(
    section(
      "Sessions",
      ...(r.sessions.length
        ? r.sessions.map((s) => h("div", { class: "session" }, h("div", {}, `${s.role} · attempt ${s.attempt} · ${s.outcome ?? "running"}`), s.said ? h("div", { class: "muted" }, `said: ${s.said}`) : undefined, h("code", {}, s.open)))
        : [h("p", { class: "muted" }, "none yet")]),
    ),
  );
  out.append(section("Commits", ...(r.diff.commits.length ? r.diff.commits.map((c) => h("div", {}, h("code", {}, c.sha.slice(0, 10)), ` ${c.subject}`)) : [h("p", { class: "muted" }, r.diff.note ?? "none")])));
  return out;
}

export type { Report };
