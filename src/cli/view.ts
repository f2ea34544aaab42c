// How `orch watch` / `orch run` show the loop: a live compact view in a terminal, plain log lines
// otherwise, or one JSON event per line with --json.
import type { LoopEvent } from "../reconcile/index.js";
import { formatProblem } from "../util/index.js";
import type { MissionSpend } from "../store/index.js";
import { LiveView, type LiveSource } from "./live-view.js";

export type { LiveSource } from "./live-view.js";

/** Output mode. */
export type ViewMode = "tty" | "plain" | "json";

/**
 * How wide to draw for `out`: its columns, else 100 (a pipe or file). A terminal that reports no
 * size (0 columns: a pty nobody sized, e.g. under `script` or some CI runners) counts as 100 too.
 */
export function widthOf(out: { columns?: number } = process.stdout): number {
  return out.columns || 100;
}

/** The mode for this process: --json wins, then whether stdout is a terminal. */
export function pickMode(json: boolean, out: NodeJS.WriteStream = process.stdout): ViewMode {
  return json ? "json" : out.isTTY ? "tty" : "plain";
}

/** One log line for an event, or undefined for events only the live view or --json shows. */
function plainLine(e: LoopEvent): string | undefined {
  switch (e.type) {
    case "lease":
      return e.status === "waiting" ? `waiting for the mission lease (held by ${e.holder ?? "another orch"})` : `lease ${e.status}${e.token !== undefined ? ` (token ${e.token})` : ""}`;
    case "phase":
      return `${e.task}: ${e.from ?? "new"} → ${e.to} (${e.reason}${e.message ? `: ${e.message}` : ""})`;
    case "session":
      return `${e.task}: ${e.role} session ${e.status} (attempt ${e.attempt}, ${e.sessionId})${e.error ? `: ${e.error}` : ""}${e.said ? ` — “${e.said}”` : ""}`;
    case "verify":
      return `${e.task}: verify ${e.ok ? "passed" : `failed: ${e.command}`}${!e.ok && e.output ? `\n${indent(e.output.trim().split("\n").slice(-8).join("\n"))}` : ""}`;
    case "review":
      return `${e.task}: review ${e.approved ? "approved" : "rejected"}: ${e.summary}`;
    case "merge":
      if (e.conflict) return `${e.task}: merging conflicts in ${e.conflict.join(", ")}: back to its workspace for a fixer`;
    {
      const it = e.kept.length === 1 ? "it" : "them";
      return `${e.task}: merged${e.sha ? ` as ${e.sha.slice(0, 10)}` : " (nothing new)"}${e.kept.length ? `; kept your uncommitted ${e.kept.join(", ")} as you left ${it} (git diff shows ${it} against the merge)` : ""}`;
    }
    case "permission":
      return `${e.task}: waiting for approval of ${e.kind} (edit .orchestrator/approvals/${e.task}.md or run orch approve ${e.task})`;
    case "problems": {
      const list = e.problems.map((p) => indent(formatProblem(p))).join("\n");
      const what = e.source === "mission" ? "tasks" : e.source;
      if (e.source === "inbox") return `inbox: ${e.problems.length === 1 ? "a question file" : "question files"} orch cannot read an answer from; ${e.problems.length === 1 ? "its task keeps" : "their tasks keep"} waiting:\n${list}`;
      if (e.held?.length) return `${e.held.join(", ")} held (errors in ${e.held.length === 1 ? "its task file" : "their task files"}: nothing new starts for ${e.held.length === 1 ? "it" : "them"}); the other tasks go on:\n${list}`;
      return e.problems.some((p) => p.severity === "error") ? `${what} not applied: nothing starts or is redone until they are fixed (running sessions go on):\n${list}` : `${what}: warnings:\n${list}`;
    }
    case "ids":
      return e.assigned.map((a) => `${e.file}:${a.line}: assigned id ${a.id}`).join("\n");
    case "problems-cleared":
      return `${e.source === "mission" ? "tasks" : e.source}: problems fixed`;
    case "config":
      return "config reloaded";
    case "error":
      return `error${e.task ? ` (${e.task})` : ""}: ${e.message}`;
    case "idle":
      return `idle: ${e.done}/${e.total} tasks done`;
    case "sandbox":
      return `warning: ${e.message}`;
    default:
      return undefined;
  }
}

function indent(s: string): string {
  return s.replace(/^/gm, "  ");
}

/** A view: `event` for every loop event, `close` to finish the output. */
export interface View {
  event(e: LoopEvent): void;
  close(): void;
}

/** Builds the view for a mode; `spend`: the history's ledger when the view starts (the live view's totals). */
export function createView(mode: ViewMode, source: LiveSource, out: NodeJS.WriteStream = process.stdout, now: () => number = Date.now, spend?: MissionSpend): View {
  if (mode === "json") return { event: (e) => out.write(`${JSON.stringify({ at: new Date(now()).toISOString(), ...e })}\n`), close: () => {} };
  const line = logLines();
  if (mode === "plain")
    return {
      event: (e) => {
        const l = line(e);
        if (l) out.write(`${new Date(now()).toISOString().slice(11, 19)} ${l}\n`);
      },
      close: () => {},
    };
  const live = new LiveView(source, out, now, () => widthOf(out), spend);
  return { event: (e) => live.event(e, line(e)), close: () => live.close() };
}

/** plainLine, saying "idle" only when the count of done tasks changed (the loop goes idle after every quiet pass). */
function logLines(): (e: LoopEvent) => string | undefined {
  let idle: string | undefined;
  return (e) => {
    const l = plainLine(e);
    if (e.type !== "idle") return l;
    if (l === idle) return undefined;
    return (idle = l);
  };
}
