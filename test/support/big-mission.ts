// A large mission for the board's bad-input test and bench: `sections` headings of `perSection`
// tasks, each task after one or two recent ones (a realistic, local web of deps), no records.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Writes the mission into a fresh temp folder; returns it and how many deps it has. */
export function bigMission(sections = 20, perSection = 100): { dir: string; tasks: number; deps: number } {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-big-mission-"));
  mkdirSync(path.join(dir, ".orchestrator"));
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), "{}\n");
  const lines = ["# A big mission", ""];
  let n = 0;
  let deps = 0;
  for (let s = 1; s <= sections; s++) {
    lines.push(`## Part ${s}`, "");
    for (let i = 0; i < perSection; i++) {
      n++;
      // Deterministic: after the previous task, and every third one also after the task 7 before it.
      const after = [n > 1 ? n - 1 : 0, n > 7 && n % 3 === 0 ? n - 7 : 0].filter(Boolean).map((d) => `T${d}`);
      deps += after.length;
      lines.push(`- [${n % 5 === 0 && n < 600 ? "x" : " "}] T${n} Task number ${n}${after.length ? ` (after ${after.join(", ")})` : ""}`);
    }
    lines.push("");
  }
  writeFileSync(path.join(dir, "TODO.md"), lines.join("\n"));
  return { dir, tasks: n, deps };
}
