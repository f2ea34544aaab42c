// The warnings of docs/FORMAT.md §4 through the built CLI: `path:line:col: message` + hint, and a
// warning never changes the exit code (0 without errors). Each case also has its quiet twin.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runOrch } from "../support/cli.js";

const VERIFIED = JSON.stringify({ verify: { commands: ["true"] } });

interface Case {
  kind: string;
  files: Record<string, string>;
  /** The warning's line (location prefix and message), or undefined when there must be none. */
  expect?: RegExp;
  /** Errors expected besides (exit 1 then). */
  errors?: number;
}

const cases: Case[] = [
  {
    kind: "orphan-task-file: a deleted line leaves its task file behind",
    files: { "TODO.md": "- [ ] T1 One\n", "tasks/T5.md": "---\nverify: [unclosed\n---\nOrphan.\n", ".orchestrator/config.json": VERIFIED },
    expect: /^tasks\/T5\.md: warning: tasks\/T5\.md has no line in TODO\.md; task T5 is cancelled\n {2}hint: Delete the file/m,
  },
  {
    kind: "id-like-title: a title starting with an id-like word",
    files: { "TODO.md": "# Work\n\n- [ ] T1 One\n- [ ] V2 migration\n", ".orchestrator/config.json": VERIFIED },
    expect: /^TODO\.md:4:1: warning: "V2" is read as the id of task "migration"\n {2}hint: If it is part of the title, give the line an id first \(`- \[ \] T12 V2 migration`\)/m,
  },
  { kind: "id-like-title: quiet when written as an id (`V2:`)", files: { "TODO.md": "- [ ] V2: migration\n", ".orchestrator/config.json": VERIFIED } },
  { kind: "id-like-title: quiet when the id has a task file", files: { "TODO.md": "- [ ] V2 migration\n", "tasks/V2.md": "Move.\n", ".orchestrator/config.json": VERIFIED } },
  {
    kind: "no-verify: a task with no verify commands anywhere",
    files: { "TODO.md": "- [x] T1 Done\n- [ ] T2 Two\n- [ ] T3 Three\n", "tasks/T3.md": "---\nverify: npm test\n---\nDo it.\n" },
    expect: /^TODO\.md:2:1: warning: task T2 has no verify commands: only the reviewer checks its work\n {2}hint: Add `verify:` to tasks\/T2\.md/m,
  },
  { kind: "no-verify: quiet with verify.commands in the config", files: { "TODO.md": "- [ ] T2 Two\n", ".orchestrator/config.json": VERIFIED } },
  {
    kind: "no-verify: not said of a task whose task file has errors (they are reported instead)",
    files: { "TODO.md": "- [ ] T1 One\n", "tasks/T1.md": "---\nverify: [unclosed\n---\nx\n" },
    errors: 1,
  },
];

describe.concurrent("orch validate warnings", () => {
  it.each(cases)("$kind", async ({ files, expect: want, errors = 0 }) => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-warn-"));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    const r = await runOrch(["validate"], dir);
    expect(r.status, r.stdout + r.stderr).toBe(errors ? 1 : 0);
    const summary = `${errors ? "✗" : "✓"} \\d+ tasks?, ${errors} errors?, ${want ? "1 warning" : "0 warnings"}\n$`;
    expect(r.stdout).toMatch(new RegExp(summary));
    if (want) expect(r.stdout).toMatch(want);
  });
});
