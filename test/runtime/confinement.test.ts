// The OpenCode server orch starts runs confined (src/runtime/confinement.ts): a real `opencode serve`
// under bubblewrap, the scripted model calling the bash tool. OpenCode's own bash permission does not
// see redirections (`bash: allow` lets `echo x > /tmp/f` through); only the OS stops the write.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { reply, steps } from "../support/script.js";
import { available, checkoutPlan } from "../../src/runtime/confinement.js";
import { makeRepo, startHarness, type Harness } from "../support/opencode-harness.js";

const bwrap = available();
let h: Harness;
let parent: string;
let checkout: string;

describe.skipIf(!bwrap.ok)(`a confined server${bwrap.ok ? "" : ` (skipped: ${bwrap.why})`}`, () => {
  beforeAll(async () => {
    parent = mkdtempSync(path.join(tmpdir(), "orch-confine-"));
    // The person's checkout, as today's attempts use it: the repo is the workspace, minus its protected parts.
    checkout = makeRepo(parent);
    writeFileSync(path.join(checkout, "TODO.md"), "- [ ] T1 a task\n");
    mkdirSync(path.join(checkout, "tasks"));
    writeFileSync(path.join(checkout, "tasks", "T1.md"), "# T1\n");
    mkdirSync(path.join(checkout, ".orchestrator"));
    writeFileSync(path.join(checkout, ".orchestrator", "config.json"), "{}\n");
    h = await startHarness(steps([]), {}, { confine: checkoutPlan(checkout, { todo: "TODO.md", tasksDir: "tasks" }) });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(parent, { recursive: true, force: true });
  });

  /** Runs one worker session whose model calls bash with `command`; resolves to what the tool said. */
  async function bash(command: string): Promise<string> {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: reply.bash(command) }, { reply: (r) => reply.text(`tool said: ${r.lastTool ?? ""}`) }]));
    const res = await (await h.runtime.start(h.request(checkout), () => {})).done;
    expect(res.error).toBeUndefined();
    return res.text;
  }

  it("a bash write inside the workspace works", async () => {
    await bash("echo inside > inside.txt");
    expect(readFileSync(path.join(checkout, "inside.txt"), "utf8")).toBe("inside\n");
  });

  it("a bash write to /tmp lands in the server's private /tmp: the file does not exist outside", async () => {
    const outside = path.join(tmpdir(), `outside-${randomUUID()}`);
    expect(await bash(`echo x > ${outside} && echo wrote`)).toContain("wrote");
    expect(existsSync(outside)).toBe(false);
  });

  it("a bash write to the checkout's TODO.md, task files, .orchestrator/ or .git is denied by the OS", async () => {
    const said = await bash(
      "echo '- [x] T1 a task' > TODO.md; echo x >> tasks/T1.md; echo x > tasks/T2.md; echo '{}' > .orchestrator/state.json; echo x > .git/hooks/pre-commit; true",
    );
    expect(said).toMatch(/Read-only file system/);
    expect(readFileSync(path.join(checkout, "TODO.md"), "utf8")).toBe("- [ ] T1 a task\n");
    expect(readFileSync(path.join(checkout, "tasks", "T1.md"), "utf8")).toBe("# T1\n");
    expect(existsSync(path.join(checkout, "tasks", "T2.md"))).toBe(false);
    expect(existsSync(path.join(checkout, ".orchestrator", "state.json"))).toBe(false);
    expect(existsSync(path.join(checkout, ".git", "hooks", "pre-commit"))).toBe(false);
  });

  it("a bash write anywhere else on the machine is denied by the OS", async () => {
    const elsewhere = path.join(process.cwd(), `outside-${randomUUID()}`);
    onTestFinished(() => rmSync(elsewhere, { force: true })); // a write that escaped is not left behind
    const said = await bash(`echo x > ${elsewhere}; true`);
    expect(said).toMatch(/Read-only file system/);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
