// Server lifecycle: an owned server killed mid-session is restarted and the retry completes;
// an external server (--server URL) is used as is, with the role prompt sent per request.
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { OpenCodeServer } from "../../src/runtime/server.js";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import { createRuntime } from "../../src/runtime/create-runtime.js";
import type { SessionEvent } from "../../src/runtime/types.js";
import { RUNTIMES, startHarness, type Harness } from "../support/opencode-harness.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";

/** The routes one session takes on each version: create, prompt, read its messages. */
const ROUTES = {
  opencode1: ["POST /session", "POST /session/:id/prompt_async", "GET /session/:id/message"],
  opencode2: ["POST /api/session", "POST /api/session/:id/prompt", "GET /api/session/:id/message"],
};

describe.each(RUNTIMES)("server lifecycle on %s", (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(steps([]), { runtime });
  });
  afterAll(async () => h?.close());
  /** An external runtime on `url` (the harness's server by default), with its password (OpenCode 2 prints one). */
  const external = (url = h.runtime.server.url!, over: Partial<Parameters<typeof createRuntime>[2]> = {}) =>
    createRuntime(h.config, h.root, { approvals: new ApprovalFiles(h.root), serverUrl: url, password: h.runtime.server.password, ...over });

  // OpenCode 1's restart and first prompt in a new folder take 10-20 s of this on a loaded machine.
  it("a server killed mid-session: the session fails as server-down, the server restarts, the retry completes", { timeout: 90_000 }, async () => {
    h.model.setScript(steps([{ when: { user: "attempt 1" }, reply: reply.hang() }, { when: { turn: 0 }, reply: reply.write("out.txt", "second try\n") }, { reply: reply.text("done") }]));
    const dir = h.repo();
    let progressed!: () => void;
    const seen = new Promise<void>((r) => (progressed = r));
    const onEvent = (e: SessionEvent) => e.type === "progress" && progressed();
    const first = await h.runtime.start(h.request(dir, { taskId: "T1", prompt: "attempt 1" }), onEvent);
    await seen;
    const pid = h.runtime.server.pid!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    const failed = await first.done;
    expect(failed.error).toMatchObject({ code: "server-down", infrastructure: true, terminal: false });
    const retry = await (await h.runtime.start(h.request(dir, { taskId: "T1", attempt: 2, prompt: "attempt 2" }), () => {})).done;
    expect(retry).toMatchObject({ ok: true, text: "done" });
    expect(readFileSync(path.join(dir, "out.txt"), "utf8")).toBe("second try\n");
    expect(h.runtime.server.pid).not.toBe(pid);
    expect(await h.runtime.server.healthy()).toBe(true);
  });

  it("an external server (--server URL): orch neither starts nor stops it; the role prompt goes as system text", async () => {
    h.model.setScript(steps([{ when: { role: "searcher" }, reply: reply.text("found it in src/a.ts:3") }]));
    const url = h.runtime.server.url!;
    const rt = external(url);
    const dir = h.repo();
    const res = await (await rt.start(h.request(dir, { role: "searcher", prompt: "where is a?" }), () => {})).done;
    await rt.close();
    expect(res).toMatchObject({ ok: true, text: "found it in src/a.ts:3" });
    expect(rt.backend).toBe(`opencode@${url}`);
    expect(await h.runtime.server.healthy()).toBe(true);
    const req = h.model.requests.filter((r) => r.directory === dir)[0]!;
    expect(req.system).toContain("orch-role: searcher");
  });

  it("a session's result is read once: one create, one prompt, one message read per session (requests counted on the way to the real server), all uncompressed on loopback", async () => {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: reply.write("out.txt", "x\n") }, { reply: reply.text("done") }]));
    const target = new URL(h.runtime.server.url!);
    const seen: string[] = [];
    const encodings = new Set<string>();
    // A plain forwarding proxy in front of the real server: it only counts what orch asks for.
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url!.split("?")[0]!.replace(/ses_[A-Za-z0-9]+/, ":id")}`);
      encodings.add(`asked ${req.headers["accept-encoding"]}`);
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        encodings.add(`got ${r.headers["content-encoding"] ?? "identity"}`);
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const rt = external(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      const dir = h.repo();
      const results = await Promise.all([1, 2, 3].map(async (i) => (await rt.start(h.request(dir, { taskId: `T${i}` }), () => {})).done));
      expect(results.map((r) => r.ok)).toEqual([true, true, true]);
      const count = (k: string) => seen.filter((x) => x === k).length;
      expect(ROUTES[runtime].map(count)).toEqual([3, 3, 3]);
      // OpenCode gzips a session's messages unless asked not to; on loopback that is wasted CPU.
      expect([...encodings].sort()).toEqual(["asked identity", "got identity"]);
    } finally {
      await rt.close();
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it("a silent event stream is reconnected and the session still completes (state re-read after reconnect)", async () => {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: { kind: "text", text: "slow but fine", delayMs: 2_500 } }]));
    const logs: string[] = [];
    // A 300 ms heartbeat watchdog: the 2.5 s model pause makes the stream look dead several times.
    const rt = external(undefined, { log: (l) => logs.push(l), runtime: { heartbeatTimeoutMs: 300 } });
    try {
      const res = await (await rt.start(h.request(h.repo()), () => {})).done;
      expect(res).toMatchObject({ ok: true, text: "slow but fine" });
      expect(logs.filter((l) => l.includes("reconnecting")).length).toBeGreaterThan(0);
    } finally {
      await rt.close();
    }
  });

  it("after an orch restart, attach() picks up a session that is still running and gets its result", async () => {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: { kind: "text", text: "finished after the restart", delayMs: 2_000 } }]));
    const dir = h.repo();
    const req = h.request(dir);
    let progressed!: () => void;
    const seen = new Promise<void>((r) => (progressed = r));
    const first = await h.runtime.start(req, (e) => e.type === "progress" && progressed());
    await seen;
    // A second orch process (same server) re-attaches by session id while the turn is still running.
    const rt = external();
    try {
      const again = await rt.attach(first.sessionId, req, () => {});
      expect(again).toBeDefined();
      const res = await again!.done;
      expect(res).toMatchObject({ ok: true, text: "finished after the restart", sessionId: first.sessionId });
      expect(res.usage.output).toBeGreaterThan(0);
      expect((await first.done).text).toBe("finished after the restart");
    } finally {
      await rt.close();
    }
  });

  it("a wedged external server (stopped, not gone) fails a start within the health check's 2 s, not the minutes a create would wait", async () => {
    const dir = h.repo();
    const pid = h.runtime.server.pid!;
    const rt = external();
    process.kill(pid, "SIGSTOP"); // connections are still accepted by the kernel; nothing answers
    try {
      const res = await (await rt.start(h.request(dir), () => {})).done;
      expect(res.error).toMatchObject({ code: "server-down", infrastructure: true });
      expect(res.error?.message).toContain("does not answer /global/health");
    } finally {
      process.kill(pid, "SIGCONT");
      await rt.close();
    }
  }, 10_000);

  it.runIf(runtime === "opencode2")("an OpenCode 2 server asked without its password, or as OpenCode 1: the start fails saying what to set", async () => {
    const noPassword = external(undefined, { password: undefined });
    const wrongVersion = createRuntime({ ...h.config, runtime: "opencode1" }, h.root, { approvals: new ApprovalFiles(h.root), serverUrl: h.runtime.server.url!, password: h.runtime.server.password });
    try {
      const a = await (await noPassword.start(h.request(h.repo()), () => {})).done;
      expect(a.error).toMatchObject({ code: "server-down", unreachable: true });
      expect(a.error?.message).toContain("refuses orch's credentials (401 on /api/info): set server.password");
      const b = await (await wrongVersion.start(h.request(h.repo()), () => {})).done;
      expect(b.error?.message).toMatch(/is OpenCode 2 \(2\.\d+\.\d+\), but config runtime is "opencode1"/);
    } finally {
      await noPassword.close();
      await wrongVersion.close();
    }
  });

  it("an unreachable external server gives a server-down result, not a hang", async () => {
    const rt = external("http://127.0.0.1:9");
    const res = await (await rt.start(h.request(h.repo()), () => {})).done;
    expect(res.error).toMatchObject({ code: "server-down", infrastructure: true });
    // The create and the health check went out together; the error is the health check's, not a failed fetch's.
    expect(res.error?.message).toBe("cannot start a session: OpenCode server http://127.0.0.1:9 does not answer /global/health");
    await rt.close();
  });
});

describe("a server orphaned by an orch that was SIGKILLed", () => {
  // Running, not merely a zombie waiting to be reaped by whoever inherited it.
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  };

  it("is killed by the next orch that starts a server in the same state dir", { timeout: 90_000 }, async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), "orch-orphan-"));
    const serverTs = path.join(process.cwd(), "src", "runtime", "server.ts");
    const code = `import { OpenCodeServer } from ${JSON.stringify(serverTs)}; const s = new OpenCodeServer({ stateDir: ${JSON.stringify(stateDir)}, config: {} }); s.ensureUp().then(() => console.log("UP " + s.pid));`;
    const orch = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    const orphan = await new Promise<number>((resolve) => {
      let out = "";
      orch.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /UP (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    });
    const gone = new Promise((r) => orch.on("exit", r));
    orch.kill("SIGKILL"); // no exit handlers run: the server is orphaned
    await gone;
    expect(alive(orphan)).toBe(true);
    const next = new OpenCodeServer({ stateDir, config: {} });
    try {
      await next.ensureUp();
      expect(alive(orphan)).toBe(false);
      expect(next.pid).not.toBe(orphan);
    } finally {
      await next.stop();
      if (alive(orphan)) process.kill(orphan, "SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
