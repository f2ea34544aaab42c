// orch's OpenCode 2 plugin (plugins/opencode2/orch.js), installed by `orch init --opencode` beside the
// OpenCode 1 one, in a real OpenCode 2 server started as a person's would be (the project's plugins
// on), hermetic and offline: the server loads it; /orch answers the status table and /task writes
// TODO.md through `orch plan` (which starts its own server for the scripted planner: OpenCode 2 does
// not tell a plugin its address or password), each in the session without a model turn; a failure
// is said, never thrown, and the session goes on.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel, type ScriptedModel } from "../../src/demo/scripted-model.js";
import { findOpencodeBin } from "../../src/runtime/versions.js";
import { runOrch } from "../support/cli.js";
import { reply, steps } from "../support/script.js";

let base: string;
let model: ScriptedModel;
let server: ChildProcess | undefined;
let url: string;
let auth: string;
let project: string;

/** The scripted model as an OpenCode provider. */
const provider = () => ({ "orch-demo": { npm: "@ai-sdk/openai-compatible", options: { baseURL: model.baseURL, apiKey: "x" }, models: { scripted: { tool_call: true, limit: { context: 128_000, output: 8_000 } } } } });

/** A git repo with a mission of one done task, whose own OpenCode (the planner's) uses the scripted model. */
function mission(name: string): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n- [x] T1 Cart model\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ models: { default: "orch-demo/scripted" } }));
  writeFileSync(path.join(dir, ".orchestrator", "opencode.json"), JSON.stringify({ provider: provider() }));
  writeFileSync(path.join(dir, ".gitignore"), ".orchestrator/runtime/\n");
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", `mission ${name} ${base}`);
  return dir;
}

/** `opencode serve` (OpenCode 2) in `dir` as a person runs it, with a fresh HOME and the scripted model; its URL and password. */
async function personServer(dir: string): Promise<{ child: ChildProcess; url: string; password: string }> {
  const home = path.join(base, "home");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), XDG_DATA_HOME: path.join(home, "data"), XDG_CACHE_HOME: path.join(home, "cache"), XDG_STATE_HOME: path.join(home, "state") };
  const config = { model: "orch-demo/scripted", provider: provider() };
  Object.assign(env, { OPENCODE_CONFIG_CONTENT: JSON.stringify(config), OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1", OPENCODE_DISABLE_CLAUDE_CODE: "1", OPENCODE_DISABLE_FREE_MODELS: "1" });
  const child = spawn(findOpencodeBin("opencode2")!, ["serve", "--hostname=127.0.0.1", "--port=0"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)[\s\S]*server password (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!.replace(/\/$/, ""), password: m[2]! });
    });
    child.once("exit", (code) => reject(new Error(`opencode serve exited ${code}: ${out}`)));
  });
}

/** JSON of a request to the server's API, for the project's directory. */
async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${route}${route.includes("?") ? "&" : "?"}directory=${encodeURIComponent(project)}`, {
    method,
    headers: { "content-type": "application/json", authorization: auth },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** orch's plugin as the server lists it, once it is loaded (the first request of a project loads its plugins). */
async function orchPlugin(): Promise<{ id: string; source: { path?: string }; state: { status: string } }> {
  const controller = new AbortController();
  const events = await fetch(`${url}/api/event?directory=${encodeURIComponent(project)}`, { headers: { authorization: auth }, signal: controller.signal });
  const reader = (events.body as ReadableStream<Uint8Array>).getReader();
  try {
    // Each plugin.updated or command.updated event is a reason to look again; the test's timeout bounds it.
    for (;;) {
      const list = (await api("GET", "/api/plugin")).json.data as Array<{ id: string; source: { path?: string }; state: { status: string } }>;
      const ours = list.find((p) => p.source.path?.endsWith("orch-v2.js"));
      if (ours && ours.state.status !== "loading" && ours.state.status !== "pending") return ours;
      const { done } = await reader.read();
      if (done) throw new Error("the server's event stream ended before orch's plugin loaded");
    }
  } finally {
    controller.abort();
  }
}

/** A new session of the project. */
async function newSession(title: string): Promise<string> {
  return (await api("POST", "/api/session", { title, location: { directory: project } })).json.data.id as string;
}

/** Runs a slash command in a session as the TUI does; what the session's inbox then shows the person (synthetic entries' descriptions). */
async function command(name: string, text: string, sessionID?: string): Promise<{ status: number; said: string[]; sessionID: string }> {
  const id = sessionID ?? (await newSession(`/${name}`));
  const res = await api("POST", `/api/session/${id}/command`, { name, text });
  const inbox = (await api("GET", `/api/session/${id}/inbox`)).json.data as Array<{ type: string; payload: { text: string; description?: string } }>;
  return { status: res.status, said: inbox.filter((m) => m.type === "synthetic").map((m) => m.payload.description ?? ""), sessionID: id };
}

const task = (id: string, deps: string[] = []) => ({ id, title: `Coupons step ${id}`, type: "logic", deps, files: [`src/${id}.js`], verify: [`node --test test/${id}.test.js`], body: `Write src/${id}.js.`, acceptance: [`${id} is exported`] });

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-oc2-plugin-"));
  model = await startScriptedModel(
    steps([
      { when: { role: "planner" }, reply: reply.text(JSON.stringify({ summary: "two steps", tasks: [task("N1"), task("N2", ["N1"])] })) },
      { when: { user: "what now" }, reply: reply.text("going on") },
    ]),
  );
  project = mission("project");
  const init = await runOrch(["init", "--opencode", "--dir", project]);
  expect(init.status, init.stderr).toBe(0);
  expect(init.stdout).toContain("created  .opencode/plugin/orch.js (orch's OpenCode 1 plugin: /task, /orch)");
  expect(init.stdout).toContain("created  .opencode/plugins/orch-v2.js (orch's OpenCode 2 plugin: /task, /orch)");
  const started = await personServer(project);
  ({ child: server, url } = started);
  auth = `Basic ${Buffer.from(`opencode:${started.password}`).toString("base64")}`;
}, 120_000);
afterAll(async () => {
  server?.kill("SIGKILL");
  await model?.close();
  rmSync(base, { recursive: true, force: true });
});

describe("orch init --opencode, for OpenCode 2", () => {
  it("is idempotent, and never overwrites an OpenCode 2 plugin file that is not orch's (nor writes the other one then)", async () => {
    const again = await runOrch(["init", "--opencode", "--dir", project]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("exists   .opencode/plugins/orch-v2.js (orch's OpenCode 2 plugin, up to date)");
    const other = mission("foreign");
    mkdirSync(path.join(other, ".opencode", "plugins"), { recursive: true });
    writeFileSync(path.join(other, ".opencode", "plugins", "orch-v2.js"), "// mine\n");
    const r = await runOrch(["init", "--opencode", "--dir", other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(".opencode/plugins/orch-v2.js exists and is not orch's plugin: left as is");
    expect(readFileSync(path.join(other, ".opencode", "plugins", "orch-v2.js"), "utf8")).toBe("// mine\n");
    expect(() => readFileSync(path.join(other, ".opencode", "plugin", "orch.js"))).toThrow();
  });
});

describe("orch's plugin in a real OpenCode 2 server", () => {
  it("is loaded (status active) and adds /task and /orch; the OpenCode 1 file beside it is a failed plugin", { timeout: 60_000 }, async () => {
    expect(await orchPlugin()).toMatchObject({ id: "orch", state: { status: "active" } });
    const plugins = (await api("GET", "/api/plugin")).json.data as Array<{ source: { path?: string }; state: { status: string } }>;
    // The OpenCode 1 file beside it is listed as a failed plugin, and nothing else is affected.
    expect(plugins.find((p) => p.source.path?.endsWith(path.join(".opencode", "plugin", "orch.js")))?.state).toMatchObject({ status: "failed", error: expect.stringContaining("must export a default definition") });
    const names = ((await api("GET", "/api/command")).json.data as Array<{ name: string }>).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["task", "orch"]));
  });

  it("/orch answers the status table in the session, without a model turn", { timeout: 60_000 }, async () => {
    await orchPlugin();
    const r = await command("orch", "");
    expect(r.status).toBe(204);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/T1 .*Cart model/);
    expect(model.requests.length).toBe(0);
  });

  it("/task <goal> runs orch plan: the tasks are written to TODO.md and the person is told", { timeout: 180_000 }, async () => {
    await orchPlugin();
    const r = await command("task", "Add discount coupons");
    expect(r.status).toBe(204);
    expect(r.said.join("\n")).toMatch(/Added 2 tasks to TODO\.md:\n {2}T2 {2}Coupons step N1 {2}→ tasks\/T2\.md\n {2}T3 {2}Coupons step N2 \(after T2\) {2}→ tasks\/T3\.md/);
    expect(r.said.join("\n")).toContain("`orch watch` (or `orch run`) starts them.");
    expect(readFileSync(path.join(project, "TODO.md"), "utf8")).toBe("# Shop\n\n- [x] T1 Cart model\n- [ ] T2 Coupons step N1\n- [ ] T3 Coupons step N2 (after T2)\n");
  });

  it("a failure is said, not thrown: the command answers, and the session goes on with orch's answers in it", { timeout: 60_000 }, async () => {
    await orchPlugin();
    const failed = await command("orch", "show NOPE");
    expect(failed.status).toBe(204);
    expect(failed.said[0]).toMatch(/orch show failed \(exit 2\):\n.*NOPE/);
    const usage = await command("task", "  ", failed.sessionID);
    expect(usage.status).toBe(204);
    expect(usage.said[1]).toContain("usage: /task <goal>");
    const after = await command("orch", "show T1", failed.sessionID);
    expect(after.said[2]).toContain("T1");
    expect(after.said[2]).not.toContain("failed");
    // The person's next prompt: a model turn as usual, which reads what orch said.
    const before = model.requests.length;
    expect((await api("POST", `/api/session/${failed.sessionID}/prompt`, { text: "what now?" })).status).toBe(200);
    expect((await api("POST", `/api/experimental/session/${failed.sessionID}/wait`)).status).toBeLessThan(300);
    const msgs = (await api("GET", `/api/session/${failed.sessionID}/message?order=asc&limit=200`)).json.data as Array<{ type: string; description?: string; content?: Array<{ text?: string }> }>;
    expect(msgs.filter((m) => m.type === "synthetic").map((m) => m.description)).toEqual(after.said);
    expect(JSON.stringify(msgs.filter((m) => m.type === "assistant"))).toContain("going on");
    expect(JSON.stringify(model.requests.slice(before))).toContain("The person ran /orch show NOPE; orch answered:");
  });
});
