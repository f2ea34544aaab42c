// The message of a task's commit (shared tree or workspace merge): title, the reviewer's summary,
// trailers. One place, so that `git log` reads the same whichever way the task was committed.
import type { Config, TaskSpec } from "../spec/index.js";
import type { TaskState } from "../store/index.js";

/** The trailers after Task-Id: Attempt, Verified-By (each command), Reviewed-By, Tokens, Cost. */
export function taskTrailers(t: TaskSpec, s: TaskState | undefined, config: Config): [string, string][] {
  const u = s?.usage;
  return [
    ["Attempt", String(s?.attempts ?? 1)],
    ...(t.verify.length ? t.verify : config.verify.commands).map((v): [string, string] => ["Verified-By", v]),
    ...(config.review.enabled ? [["Reviewed-By", "reviewer"] as [string, string]] : []),
    ["Tokens", String(u ? u.input + u.output + u.reasoning : 0)],
    ["Cost", `$${(s?.costUsd ?? 0).toFixed(4)}`],
  ];
}

/** The whole message: `type(id): title`, the reviewer's summary when there is one, then the trailers. */
export function taskCommitMessage(t: TaskSpec, s: TaskState | undefined, config: Config): string {
  const oneLine = (x: string) => x.replace(/\s+/g, " ").trim();
  const summary = s?.lastReview?.summary ? oneLine(s.lastReview.summary) : "";
  const trailers = ([["Task-Id", t.id], ...taskTrailers(t, s, config)] as [string, string][]).map(([k, v]) => `${k}: ${oneLine(v)}`).join("\n");
  return `${t.type ?? "feat"}(${t.id}): ${oneLine(t.title)}\n\n${summary ? `${summary}\n\n` : ""}${trailers}\n`;
}
