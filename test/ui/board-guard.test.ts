// `orch ui` (read-only, files watched) and what the board refuses: HTML in a title shown as text, a
// request from another origin or for another host (DNS rebinding), a write, and any request without
// the token once the board listens beyond loopback. The built CLI, a real browser where it matters.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { runOrch } from "../support/cli.js";
import { keepScreenshot, launchChromium, startBoardProcess, type BoardProcess } from "../support/board.js";

const EVIL = `<img src=x onerror="window.pwned=1"><b>bold</b> & "quoted"`;

/** A mission whose first title is markup. */
function mission(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-board-guard-"));
  mkdirSync(path.join(dir, ".orchestrator"));
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), "{}\n");
  writeFileSync(path.join(dir, "TODO.md"), `# Mission\n\n- [ ] T1 ${EVIL}\n- [ ] T2 Second (after T1)\n`);
  return dir;
}

/** A raw GET with the headers given (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("orch ui: read-only board, and what it refuses", () => {
  let browser: Browser;
  let dir: string;
  let board: BoardProcess;

  beforeAll(async () => {
    dir = mission();
    [board, browser] = await Promise.all([startBoardProcess(["ui", "--dir", dir]), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    expect(await board?.stop()).toBe(0);
  });

  it("says where it listens, on loopback, and needs no token there", () => {
    expect(board.output().stdout).toMatch(/^The board of .* is at http:\/\/127\.0\.0\.1:\d+\/ \(read-only; Ctrl-C stops it\)\n$/);
  });

  it("shows a title with HTML in it as text, and updates when the files change, without a reload", async () => {
    const page = await browser.newPage();
    onTestFailed(async () => void (await keepScreenshot(page, "board-guard-html").catch(() => undefined)));
    await page.goto(board.url);
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator('.card[data-id="T1"] .title').textContent()).toBe(EVIL);
    expect(await page.locator('g.node.task[data-id="T1"] title').textContent()).toContain(EVIL);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("#view b:text-is('bold')").count()).toBe(0);
    await page.click('g.node.task[data-id="T1"]');
    expect(await page.locator('#details [data-field="title"]').textContent()).toBe(EVIL);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // A person checks T1's box: the read-only board sees the file change; T2 is no longer blocked.
    expect(await page.locator('g.node.task[data-id="T2"]').getAttribute("data-state")).toBe("Blocked");
    const todo = path.join(dir, "TODO.md");
    writeFileSync(todo, readFileSync(todo, "utf8").replace("- [ ] T1", "- [x] T1"));
    await page.waitForSelector('g.node.task[data-id="T1"][data-state="done"]');
    await page.waitForSelector('g.node.task[data-id="T2"][data-state="Pending"]');
    // A question for a person in T2's inbox: counted as waiting, shown as text with how to answer.
    const question = `# T2 waits for a person: Second\n\n## The agent's question\n\nShould <i>slugs</i> keep case?\n`;
    mkdirSync(path.join(dir, ".orchestrator", "inbox"), { recursive: true });
    writeFileSync(path.join(dir, ".orchestrator", "inbox", "T2.md"), question);
    await page.waitForSelector('[data-total="waiting"] b:text-is("1")');
    await page.click('g.node.task[data-id="T2"]');
    expect(await page.locator('#details [data-field="inbox"]').textContent()).toBe(question);
    expect(await page.locator("#details [data-command]").evaluateAll((cs) => cs.map((c) => c.textContent))).toContain('orch answer T2 "…"');
    await page.close();
  });

  it("refuses another origin, another Host (DNS rebinding) and anything but GET", async () => {
    const own = new URL(board.url).host;
    const api = board.at("/api/board");
    expect((await get(api, { host: own })).status).toBe(200);
    expect((await get(api, { host: own, origin: `http://${own}` })).status).toBe(200);
    const foreign = await get(api, { host: own, origin: "http://evil.example" });
    expect(foreign).toEqual({ status: 403, body: "requests from http://evil.example are refused: the board answers only its own page\n" });
    expect((await get(board.at("/events"), { host: own, origin: "http://127.0.0.1:1" })).status).toBe(403);
    expect((await get(board.at("/metrics"), { host: own, "sec-fetch-site": "cross-site" })).status).toBe(403);
    const rebound = await get(api, { host: `evil.example:${new URL(board.url).port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/^Host "evil\.example:\d+" is not this board's address/);
    expect((await get(api, { host: own }, "POST")).status).toBe(405);
  });

  it("beyond loopback: needs the token it prints (the URL carries it, then a cookie)", async () => {
    const wide = await startBoardProcess(["ui", "0.0.0.0:0", "--dir", dir]);
    try {
      const url = new URL(wide.url);
      const token = url.searchParams.get("token");
      expect(token).toMatch(/^[\w-]{24}$/);
      const bare = `http://127.0.0.1:${url.port}/api/board`;
      expect(await get(bare, {})).toEqual({ status: 401, body: "this board needs its token: open the URL orch printed (it carries ?token=…)\n" });
      expect((await get(`${bare}?token=wrong-${token}`, {})).status).toBe(401);
      expect((await get(`${bare}?token=${token}`, {})).status).toBe(200);
      expect((await get(`http://127.0.0.1:${url.port}/metrics`, { authorization: `Bearer ${token}` })).status).toBe(200);
      const page = await browser.newPage();
      await page.goto(wide.url);
      await page.waitForSelector("body[data-ready=true]"); // /board.js and /events went with the cookie
      await page.close();
    } finally {
      expect(await wide.stop()).toBe(0);
    }
  });

  it("a folder without a TODO.md: says so, exit 2, serves nothing", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "orch-board-empty-"));
    expect(await runOrch(["ui", "--dir", empty])).toEqual({ status: 2, stdout: "", stderr: `orch: no TODO.md in ${empty}: no mission to show\n  hint: Run \`orch init\` there to create one, or pass --dir <the repository root>.\n` });
  });

  it("a port another process holds: says so, exit 2", async () => {
    const taken = new URL(board.url).port;
    const r = await runOrch(["ui", `127.0.0.1:${taken}`, "--dir", dir]);
    expect(r).toEqual({ status: 2, stdout: "", stderr: `orch: cannot listen on 127.0.0.1:${taken} for the board: EADDRINUSE\n  hint: Pick another port, e.g. --ui 127.0.0.1:0 for a free one.\n` });
  });

  it("an address it cannot listen on is a usage error (exit 2)", async () => {
    const r = await runOrch(["ui", "example.com:80", "--dir", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`orch: --ui "example.com:80" is not an address to listen on\n  hint: Give host:port with an IP address or localhost, e.g. --ui 127.0.0.1:7420 (or --ui alone for loopback on a free port).\n`);
  });
});
