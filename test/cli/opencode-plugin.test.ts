// orch's OpenCode plugin (plugins/opencode1/orch.js), installed by `orch init --opencode`, in a real
// OpenCode 1 server started as a person's would be (the project's own config and plugins on),
// hermetic and offline: /task runs `orch plan` (the scripted planner, on that same server) and
// writes TODO.md; /orch shows the status table; a failure is said in the reply, never thrown.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel, type ScriptedModel } from "../../src/demo/scripted-model.js";
import { findOpencodeBin } from "../../src/runtime/versions.js";
import { DEFAULT_LOCK_OPTIONS, FileJournal, StorePaths } from "../../src/store/index.js";
import { runOrch } from "../support/cli.js";
import { reply, steps } from "../support/script.js";

let base: string;
let model: ScriptedModel;
let server: ChildProcess | undefined;
let url: string;
let project: string;

/** A git repo with a mission of one done task. */
function mission(name: string): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n- [x] T1 Cart model\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), "{}\n");
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", `mission ${name} ${base}`);
  return dir;
}

/** `opencode serve` in `dir` as a person runs it (project config on), with a fresh HOME and the scripted model. */
async function personServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const home = path.join(base, "home");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), XDG_DATA_HOME: path.join(home, "data"), XDG_CACHE_HOME: path.join(home, "cache"), XDG_STATE_HOME: path.join(home, "state") };
  // OpenCode installs @opencode-ai/plugin into each config folder it loads plugins from (network): a lock naming it skips that.
  for (const d of [path.join(env.XDG_CONFIG_HOME!, "opencode"), path.join(dir, ".opencode")]) {
    mkdirSync(path.join(d, "node_modules"), { recursive: true });
    writeFileSync(path.join(d, "package.json"), JSON.stringify({ dependencies: { "@opencode-ai/plugin": "*" } }));
    writeFileSync(path.join(d, "package-lock.json"), JSON.stringify({ name: "opencode", lockfileVersion: 3, requires: true, packages: { "": { dependencies: { "@opencode-ai/plugin": "*" } } } }));
  }
  const config = {
    model: "orch-demo/scripted",
    snapshot: false,
    provider: { "orch-demo": { npm: "@ai-sdk/openai-compatible", options: { baseURL: model.baseURL, apiKey: "x" }, models: { scripted: { tool_call: true, limit: { context: 128_000, output: 8_000 } } } } },
  };
  Object.assign(env, { OPENCODE_CONFIG_CONTENT: JSON.stringify(config), OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1", OPENCODE_DISABLE_CLAUDE_CODE: "1" });
  const child = spawn(findOpencodeBin("opencode1")!, ["serve", "--hostname=127.0.0.1", "--port=0"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const found = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace(/\/$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`opencode serve exited ${code}: ${out}`)));
  });
  return { child, url: found };
}

/** JSON of a request to the server, for the project's directory. */
async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${route}${route.includes("?") ? "&" : "?"}directory=${encodeURIComponent(project)}`, { method, headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Runs a slash command in a new session the way the TUI does; the text the model was given in its place. */
async function command(name: string, args: string): Promise<{ status: number; said: string }> {
  const session = (await api("POST", "/session", { title: `/${name}` })).json as { id: string };
  const res = await api("POST", `/session/${session.id}/command`, { command: name, arguments: args });
  const msgs = (await api("GET", `/session/${session.id}/message`)).json as Array<{ info: { role: string }; parts: Array<{ type: string; text?: string }> }>;
  const said = msgs.filter((m) => m.info.role === "user").flatMap((m) => m.parts).map((p) => p.text ?? "").join("\n");
  return { status: res.status, said };
}

const task = (id: string, deps: string[] = []) => ({ id, title: `Coupons step ${id}`, type: "logic", deps, files: [`src/${id}.js`], verify: [`node --test test/${id}.test.js`], body: `Write src/${id}.js.`, acceptance: [`${id} is exported`] });

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-oc-plugin-"));
  model = await startScriptedModel(
    steps([
      { when: { role: "planner" }, reply: reply.text(JSON.stringify({ summary: "two steps", tasks: [task("N1"), task("N2", ["N1"])] })) },
      { when: { user: "orch says" }, reply: reply.text("passed on") },
    ]),
  );
  project = mission("project");
  const init = await runOrch(["init", "--opencode", "--dir", project]);
  expect(init.status, init.stderr).toBe(0);
  expect(init.stdout).toContain("created  .opencode/plugin/orch.js (orch's OpenCode 1 plugin: /task, /orch)");
  ({ child: server, url } = await personServer(project));
}, 120_000);
afterAll(async () => {
  server?.kill("SIGKILL");
  await model?.close();
  rmSync(base, { recursive: true, force: true });
});

describe("orch init --opencode", () => {
  it("is idempotent, and never overwrites a plugin file that is not orch's", async () => {
    const again = await runOrch(["init", "--opencode", "--dir", project]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("exists   .opencode/plugin/orch.js (orch's OpenCode 1 plugin, up to date)");
    const other = mission("foreign");
    mkdirSync(path.join(other, ".opencode", "plugin"), { recursive: true });
    writeFileSync(path.join(other, ".opencode", "plugin", "orch.js"), "// mine\n");
    const r = await runOrch(["init", "--opencode", "--dir", other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(".opencode/plugin/orch.js exists and is not orch's plugin: left as is");
    expect(readFileSync(path.join(other, ".opencode", "plugin", "orch.js"), "utf8")).toBe("// mine\n");
  });
});

describe("orch's plugin in a real OpenCode 1 server", () => {
  it("is loaded: the server lists /task and /orch", async () => {
    const names = ((await api("GET", "/command")).json as Array<{ name: string }>).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["task", "orch"]));
  });

  it("/task <goal> runs orch plan on that server: the tasks are written to TODO.md and the person is told", { timeout: 120_000 }, async () => {
    const r = await command("task", "Add discount coupons");
    expect(r.status).toBe(200);
    expect(r.said).toMatch(/Added 2 tasks to TODO\.md:\n {2}T2 {2}Coupons step N1 {2}→ tasks\/T2\.md\n {2}T3 {2}Coupons step N2 \(after T2\) {2}→ tasks\/T3\.md/);
    expect(r.said).toContain("`orch watch` (or `orch run`) starts them.");
    expect(readFileSync(path.join(project, "TODO.md"), "utf8")).toBe("# Shop\n\n- [x] T1 Cart model\n- [ ] T2 Coupons step N1\n- [ ] T3 Coupons step N2 (after T2)\n");
  });

  it("/orch shows the status table, /orch show <id> one task", { timeout: 60_000 }, async () => {
    const table = await command("orch", "");
    expect(table.said).toMatch(/T2 .*Coupons step N1/);
    const one = await command("orch", "show T1");
    expect(one.said).toContain("T1");
    expect(one.said).not.toContain("failed");
  });

  it("while orch runs the mission, a task's transition is a toast in the TUI (read from the history orch appends)", { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/global/event`, { signal: controller.signal });
    /** The first toast the server publishes. */
    const toast = (async () => {
      const decoder = new TextDecoder();
      let buf = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        for (const line of buf.split("\n").filter((l) => l.startsWith("data: "))) {
          const e = JSON.parse(line.slice(6)) as { payload?: { type?: string; properties?: unknown } };
          if (e.payload?.type === "tui.toast.show") return e.payload.properties;
        }
        buf = buf.slice(buf.lastIndexOf("\n") + 1);
      }
      return undefined;
    })();
    // What orch writes as a task succeeds and another starts (store/journal.ts): only the first is news.
    const at = new Date().toISOString();
    await new FileJournal(new StorePaths(project), DEFAULT_LOCK_OPTIONS).append([
      { at, task: "T9", kind: "phase", attempt: 1, from: "Pending", to: "Running" },
      { at, task: "T9", kind: "phase", attempt: 1, from: "Reviewing", to: "Succeeded" },
    ]);
    try {
      expect(await toast).toMatchObject({ title: "orch", message: "T9: done", variant: "success" });
    } finally {
      controller.abort();
    }
  });

  it("a failure is said, not thrown: the command still answers and the session goes on", { timeout: 60_000 }, async () => {
    const r = await command("orch", "show NOPE");
    expect(r.status).toBe(200);
    expect(r.said).toMatch(/orch show failed \(exit 2\):\n.*NOPE/);
    const usage = await command("task", "  ");
    expect(usage.said).toContain("usage: /task <goal>");
  });
});
