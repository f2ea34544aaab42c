import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runOrch } from "../support/cli.js";
import { freshState } from "../../src/store/task-state-schema.js";
import { loadConfig, loadMission } from "../../src/spec/load.js";
import { openStore } from "../../src/store/open.js";
import { TaskStates } from "../../src/store/task-states.js";
import { plan } from "../../src/reconcile/plan.js";
import { ctx } from "../reconcile/fixtures.js";

const orch = (...args: string[]) => runOrch(args);
const tmp = () => mkdtempSync(path.join(tmpdir(), "orch-cli-"));

describe.concurrent("orch init", () => {
  it("scaffolds a valid mission, says what it created, and never overwrites", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "TODO.md"), "# Mine\n\n- [ ] T1 Keep me\n");
    const first = await orch("init", "--dir", dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^exists {3}TODO\.md \(left as is\)$/m);
    expect(first.stdout).toMatch(/^created {2}\.orchestrator\/config\.json$/m);
    expect(first.stdout).toMatch(/^created {2}tasks\/$/m);
    expect(first.stdout).toContain("set models.default in .orchestrator/config.json"); // orch has no default model
    expect(existsSync(path.join(dir, "tasks", "T1.md"))).toBe(false); // would be an orphan of the user's TODO.md
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("# Mine\n\n- [ ] T1 Keep me\n");
    const config = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "config.json"), "utf8"));
    expect(config.$schema).toMatch(/schemas\/config\.schema\.json$/);
    const again = await orch("init", "--dir", dir);
    expect(again.stdout).toMatch(/Nothing to do/);
    expect((await orch("validate", "--dir", dir)).status).toBe(0);
  });
  it("in an empty folder creates a mission that validates", async () => {
    const dir = tmp();
    expect((await orch("init", "--dir", dir)).stdout).toMatch(/^created {2}tasks\/T1\.md$/m);
    const v = await orch("validate", "--dir", dir);
    expect(v.stdout).toMatch(/✓ 2 tasks, 0 errors/);
  });
  it("a missing --dir is a usage error without a stack trace", async () => {
    const r = await orch("init", "--dir", path.join(tmp(), "nope"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^orch: .*nope is not a directory\n {2}hint: /);
  });
});

describe("orch status", () => {
  it("derives state from checkboxes and deps, overlaid with recorded phases", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "TODO.md"), "- [x] T1 Base\n- [ ] T2 Left (after T1)\n- [ ] T3 Right (after T1)\n- [ ] T4 Join (after T2, T3)\n- [x] T5 Parent\n  - [ ] T6 Child\n");
    mkdirSync(path.join(dir, ".orchestrator", "state"), { recursive: true });
    writeFileSync(path.join(dir, ".orchestrator", "state", "T2.json"), JSON.stringify({ version: 3, fences: {}, value: { ...freshState("T2", "g-T2", new Date().toISOString()), phase: "Running" } }));
    writeFileSync(path.join(dir, ".orchestrator", "state", "T3.json"), "{ half-written");
    // A bare state (no envelope) is damaged too: the store refuses it.
    writeFileSync(path.join(dir, ".orchestrator", "state", "T6.json"), JSON.stringify({ ...freshState("T6", "g-T6", new Date().toISOString()), phase: "Running" }));
    const r = await orch("status", "--json", "--dir", dir);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout).tasks.map((t: { id: string; state: string; blockedBy: string[] }) => [t.id, t.state, t.blockedBy]);
    expect(rows).toEqual([
      ["T1", "done", []],
      ["T2", "Running", []],
      ["T3", "Pending", []],
      ["T4", "Blocked", ["T2", "T3"]],
      ["T5", "Blocked", ["T6"]],
      ["T6", "Pending", []],
    ]);
    // The half-written record is named, not silently passed over.
    expect(JSON.parse(r.stdout).damagedRecords).toEqual([".orchestrator/state/T3.json", ".orchestrator/state/T6.json"]);
    const table = await orch("status", "--dir", dir);
    expect(table.stdout).toMatch(/^ID +TITLE +STATE +DEPS +BLOCKED BY$/m);
    expect(table.stdout).toMatch(/^T4 +Join +Blocked +T2,T3 +T2,T3$/m);
    expect(table.stderr).toBe(
      ["T3", "T6"].map((id) => `orch: .orchestrator/state/${id}.json is damaged; its task is shown from the files. The next \`orch run\` or \`orch watch\` moves it aside and rebuilds it from the history.\n`).join(""),
    );
    expect(table.status).toBe(0);
  });
});

describe.concurrent("orch validate --fix", () => {
  it("writes ids into id-less lines only, skipping ids already taken", async () => {
    const dir = tmp();
    // The last item's checkbox ends its line: its id goes before the text on the next line.
    const before = "# M\r\n\r\n- [ ] T1 One\r\n- [ ] Two é\r\n\t- [x] Three\r\n- [ ]\r\n  Four\r\n";
    writeFileSync(path.join(dir, "TODO.md"), before);
    mkdirSync(path.join(dir, ".orchestrator", "state"), { recursive: true });
    writeFileSync(path.join(dir, ".orchestrator", "state", "T2.json"), "{}");
    writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ verify: { commands: ["true"] } }));
    const r = await orch("validate", "--fix", "--dir", dir);
    expect(r.stderr).toMatch(/^TODO\.md:4: assigned id T3$/m);
    expect(r.stdout).toMatch(/✓ 4 tasks, 0 errors, 0 warnings/);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(before.replace("] Two", "] T3 Two").replace("] Three", "] T4 Three").replace("  Four", "  T5 Four"));
  });
  it("never rewrites a TODO.md it could not read", async () => {
    const dir = tmp();
    const bytes = Buffer.from("- [ ] Two\n\u0000");
    writeFileSync(path.join(dir, "TODO.md"), bytes);
    const r = await orch("validate", "--fix", "--dir", dir);
    expect(r.status).toBe(1);
    expect(readFileSync(path.join(dir, "TODO.md"))).toEqual(bytes);
  });
});


describe("--dir that is not a folder", () => {
  it("every command says so and exits 2: no internal error, no stack trace", async () => {
    const missing = path.join(tmp(), "no-such-repo");
    const commands = [["init"], ["validate"], ["status"], ["run"], ["watch"], ["suspend", "T1"], ["resume", "T1"], ["retry", "T1"], ["context", "T1"], ["log"]];
    const results = await Promise.all(commands.map((c) => orch(...c, "--dir", missing)));
    for (const [i, r] of results.entries()) {
      expect({ command: commands[i]![0], status: r.status }).toEqual({ command: commands[i]![0], status: 2 });
      expect(r.stderr).toContain(`${missing} is not a directory`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe("a store orch cannot write", () => {
  it("run with open tasks: a clear io error, exit non-zero, and the process ends (the code tools it started are closed)", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "TODO.md"), "# M\n\n- [ ] T1 One\n");
    mkdirSync(path.join(dir, ".orchestrator"));
    writeFileSync(path.join(dir, ".orchestrator", "locks"), "not a folder\n"); // no lock can be made
    const r = await orch("run", "--dir", dir, "--server", "http://127.0.0.1:9");
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/^orch: .*lock/m);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 30_000);
  it("shows done and blocked-by as the reconciler decides them in the same pass (a parent is done only when its subtasks are)", async () => {
    const dir = tmp();
    // T1 is checked and has a task file, but its subtask T2 is open: T1 is not done, so T3 waits.
    // T4's record says Succeeded at its generation; orch's check of its box is not written yet: T5 may go.
    writeFileSync(path.join(dir, "TODO.md"), "- [x] T1 Parent\n  - [ ] T2 Open subtask\n- [ ] T3 Next (after T1)\n- [ ] T4 Finished\n- [ ] T5 After it (after T4)\n");
    mkdirSync(path.join(dir, "tasks"));
    writeFileSync(path.join(dir, "tasks", "T1.md"), "The parent's own work.\n");
    const { config } = await loadConfig(dir);
    const t4 = (await loadMission(dir, config)).tasks.find((t) => t.id === "T4")!;
    const at = new Date().toISOString();
    const store = openStore(dir);
    await new TaskStates(store).update("T4", () => ({ ...freshState("T4", t4.generation, at), phase: "Succeeded", checkedByOrch: { at, generation: t4.generation, lineBefore: "- [ ] T4 Finished", lineAfter: "- [x] T4 Finished" } }));
    await store.close();

    const r = await orch("status", "--json", "--dir", dir);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout).tasks.map((t: { id: string; state: string; blockedBy: string[] }) => [t.id, t.state, t.blockedBy]);
    expect(rows).toEqual([
      ["T1", "Blocked", ["T2"]],
      ["T2", "Pending", []],
      ["T3", "Blocked", ["T1"]],
      ["T4", "Succeeded", []],
      ["T5", "Pending", []],
    ]);
    // The reconciler, over the same files and records, starts exactly the rows status calls Pending.
    const reading = openStore(dir);
    const actual = await new TaskStates(reading).readAll(() => {});
    await reading.close();
    const p = plan(await loadMission(dir, config), actual, ctx({ classifyUncheck: () => "stale" }));
    expect(p.actions.map((a) => `${a.type}:${a.id}`)).toEqual(["check:T4", "start:T2", "start:T5"]);
  });
});
