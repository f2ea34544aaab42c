// Warnings `orch validate` adds to the mission's problems: things that read fine but are likely not
// what the person meant. They need the config and TODO.md's text, and never change an exit code. Pure.
import type { Problem } from "../util/index.js";
import type { Config } from "./config.js";
import type { Mission, TaskSpec } from "./model.js";
import { idNumber } from "./ids.js";
import { heldBy } from "./held.js";

/** Likely mistakes in a mission that has no errors about them (see docs/FORMAT.md §4). */
export function lintMission(mission: Mission, config: Config, todoText: string): Problem[] {
  const out: Problem[] = [];
  const lines = todoText.split("\n");
  // A task file with errors is reported as such; what it would say about verify is unknown.
  const broken = heldBy(mission).tasks;
  const warn = (code: string, t: TaskSpec, message: string, hint: string) => out.push({ code, severity: "warning", file: mission.todoFile, line: t.line, col: t.col, message, hint });
  for (const t of mission.tasks) {
    if (idLikeTitle(t, config.idPrefix, lines))
      warn(
        "id-like-title",
        t,
        `"${t.id}" is read as the id of task "${t.title}"`,
        `If it is part of the title, give the line an id first (\`- [ ] ${config.idPrefix}12 ${t.id} ${t.title}\`); if it is the id, write it as \`${t.id}:\` to say so.`,
      );
    // A group (subtasks, no task file) is checked when its subtasks are done: it runs nothing to verify.
    const group = t.children.length > 0 && !t.file;
    if (!t.checked && !group && !broken.has(t.id) && t.verify.length === 0 && config.verify.commands.length === 0)
      warn(
        "no-verify",
        t,
        `task ${t.id} has no verify commands: ${config.review.enabled ? "only the reviewer checks" : "nothing checks"} its work`,
        `Add \`verify:\` to ${t.file ?? `${config.tasksDir.replace(/\/+$/, "")}/${t.id}.md`} (e.g. \`verify: [npm test]\`), or set verify.commands in .orchestrator/config.json for every task.`,
      );
  }
  return out;
}

// An id that is not the configured kind (T12 with prefix T), written without `:`, on a task with
// no task file: most likely a title's first word ("V2 migration"), not an id the person chose.
function idLikeTitle(t: TaskSpec, prefix: string, lines: readonly string[]): boolean {
  if (t.file || idNumber(t.id, prefix) !== undefined) return false;
  // The id follows the checkbox on the item's line, or starts the next line when the box ends its line.
  const text = `${lines[t.line - 1] ?? ""}\n${lines[t.line] ?? ""}`;
  return !new RegExp(`\\]\\s+${t.id}:`).test(text);
}
