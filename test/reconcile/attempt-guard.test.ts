// Table tests of what an attempt may not change (docs/RECONCILER.md, "The guard"): desired state,
// its acceptance tests, files outside its scope; and how the acceptance tests and a TODO.md
// tampering are told.
import { describe, expect, it } from "vitest";
import { acceptanceTests, judgeChanges, todoTampering, type Judgement, type ScopeRule } from "../../src/reconcile/attempt-guard.js";

const layout = { todoFile: "TODO.md", tasksDir: "tasks" };
const scoped = { files: ["src/slugify.js", "src/lib"] };
const tests = new Set(["test/slugify.test.js"]);

interface Row {
  rule: string;
  changed: string[];
  task?: { files: string[]; editsTests?: boolean };
  scope?: ScopeRule;
  ignored?: (p: string) => boolean;
  want: Judgement;
}

const rows: Row[] = [
  { rule: "in-scope changes only: nothing to say", changed: ["src/slugify.js", "src/lib/a.js"], want: { violations: [], warnings: [] } },
  { rule: "TODO.md is desired state", changed: ["TODO.md", "src/slugify.js"], want: { violations: [{ kind: "desired-state", paths: ["TODO.md"] }], warnings: [] } },
  { rule: "a task file is desired state", changed: ["tasks/T2.md"], want: { violations: [{ kind: "desired-state", paths: ["tasks/T2.md"] }], warnings: [] } },
  { rule: "anything under .orchestrator/ is desired state", changed: [".orchestrator/config.json", ".orchestrator/state/T1.json"], want: { violations: [{ kind: "desired-state", paths: [".orchestrator/config.json", ".orchestrator/state/T1.json"] }], warnings: [] } },
  { rule: "desired state also for a task with no scope", changed: ["TODO.md"], task: { files: [] }, want: { violations: [{ kind: "desired-state", paths: ["TODO.md"] }], warnings: [] } },
  { rule: "an acceptance test changed", changed: ["test/slugify.test.js", "src/slugify.js"], want: { violations: [{ kind: "acceptance-test", paths: ["test/slugify.test.js"] }], warnings: [] } },
  { rule: "an acceptance test inside the scope is still protected", changed: ["test/slugify.test.js"], task: { files: ["test/**"] }, want: { violations: [{ kind: "acceptance-test", paths: ["test/slugify.test.js"] }], warnings: [] } },
  { rule: "editsTests: true opts out of the protection (the scope still applies)", changed: ["test/slugify.test.js"], task: { files: ["test/**"], editsTests: true }, want: { violations: [], warnings: [] } },
  { rule: "out of scope fails by default, paths listed and sorted", changed: ["z.txt", "src/slugify.js", "README.md"], want: { violations: [{ kind: "out-of-scope", paths: ["README.md", "z.txt"] }], warnings: [] } },
  { rule: "out of scope under warn: a warning, no violation", changed: ["README.md"], scope: "warn", want: { violations: [], warnings: [{ kind: "out-of-scope", paths: ["README.md"] }] } },
  { rule: "out of scope under allow: nothing", changed: ["README.md"], scope: "allow", want: { violations: [], warnings: [] } },
  { rule: "allow does not allow desired state", changed: ["TODO.md", "README.md"], scope: "allow", want: { violations: [{ kind: "desired-state", paths: ["TODO.md"] }], warnings: [] } },
  { rule: "a task with no files: scope has no scope check", changed: ["anything.js"], task: { files: [] }, want: { violations: [], warnings: [] } },
  { rule: "paths that are someone else's (another task's scope) are not out of scope", changed: ["src/words.js"], ignored: (p) => p === "src/words.js", want: { violations: [], warnings: [] } },
  { rule: "a `!` entry excludes from the scope", changed: ["src/lib/secret.js"], task: { files: ["src/lib", "!src/lib/secret.js"] }, want: { violations: [{ kind: "out-of-scope", paths: ["src/lib/secret.js"] }], warnings: [] } },
  {
    rule: "each kind once, in order: desired state, acceptance test, out of scope",
    changed: ["x.js", "test/slugify.test.js", "TODO.md"],
    want: { violations: [{ kind: "desired-state", paths: ["TODO.md"] }, { kind: "acceptance-test", paths: ["test/slugify.test.js"] }, { kind: "out-of-scope", paths: ["x.js"] }], warnings: [] },
  },
];

describe("judgeChanges", () => {
  for (const r of rows)
    it(r.rule, () => {
      expect(judgeChanges(r.changed, r.task ?? scoped, layout, r.scope ?? "fail", tests, r.ignored)).toEqual(r.want);
    });

  it("a tasks folder set in config is where task files are", () => {
    expect(judgeChanges(["plan/T1.md", "tasks/T1.md"], { files: ["tasks/**"] }, { todoFile: "docs/TODO.md", tasksDir: "plan/" }, "fail", new Set()).violations).toEqual([{ kind: "desired-state", paths: ["plan/T1.md"] }]);
  });
});

describe("acceptanceTests: the files a task's verify commands name", () => {
  const exists = new Set(["test/slugify.test.js", "test/a b.test.js", "test/x.js", "package.json"]);
  const isFile = (p: string) => exists.has(p);
  const rows: [string, string[], string[]][] = [
    ["node --test names its test file", ["node --test test/slugify.test.js"], ["test/slugify.test.js"]],
    ["./ and quotes are read", ["node --test ./test/slugify.test.js", `node --test "test/a b.test.js"`], ["test/a b.test.js", "test/slugify.test.js"]],
    ["a file that does not exist yet is not protected", ["node --test test/new.test.js"], []],
    ["an option's value is read", ["mocha --spec=test/x.js"], ["test/x.js"]],
    ["a path leaving the root is not", ["cat ../secret test/../package.json"], ["package.json"]],
    ["words of a pipeline and of several commands", ["npm test && node test/x.js | tee out.log", "true"], ["test/x.js"]],
    ["no commands, no tests", [], []],
  ];
  for (const [rule, commands, want] of rows) it(rule, () => expect(acceptanceTests(commands, isFile)).toEqual(want));
});

describe("todoTampering: what a session did to TODO.md's task lines", () => {
  const before = "# M\n\n- [ ] T1 one\n- [ ] T2 two\n- [x] T3 three\n";
  const rows: [string, string, string[]][] = [
    ["nothing changed", before, []],
    ["the task's own box ticked", before.replace("[ ] T1", "[x] T1"), ["T1's box ticked"]],
    ["another task's line removed", before.replace("- [ ] T2 two\n", ""), ["T2's line removed"]],
    ["a person's new line and a reworded line are theirs", `${before.replace("T2 two", "T2 two, reworded")}- [ ] T4 four\n`, []],
    ["another box ticked (orch checks a task that succeeds) is not judged", before.replace("[ ] T2", "[x] T2"), []],
    ["TODO.md emptied: every line removed", "", ["T1's line removed", "T2's line removed", "T3's line removed"]],
  ];
  for (const [rule, after, want] of rows) it(rule, () => expect(todoTampering(before, after, "T1", "TODO.md")).toEqual(want));
});
