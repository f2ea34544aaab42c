// The live board in tests: `orch watch --ui` or `orch ui` as a child process (the built CLI), the URL
// it prints, and Debian's chromium driven by playwright-core (no browser is downloaded).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CLI } from "./cli.js";

/** Debian's chromium (.ci/apt-packages.txt installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** A running board process. */
export interface BoardProcess {
  url: string;
  /** The URL with another path, keeping the token query when there is one. */
  at(p: string): string;
  proc: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `orch <args>` and resolves once it printed the board's URL (rejects if it exits first). */
export function startBoardProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<BoardProcess> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = /(http:\/\/\S+)/.exec(stderr + stdout);
      if (!m) return;
      const url = m[1]!;
      resolve({
        url,
        at: (p) => {
          const u = new URL(url);
          u.pathname = p;
          return u.href;
        },
        proc,
        output: () => ({ stdout, stderr }),
        stop: async () => {
          proc.kill("SIGTERM");
          return exited;
        },
      });
    };
    proc.stdout.on("data", (d) => ((stdout += d), look()));
    proc.stderr.on("data", (d) => ((stderr += d), look()));
    void exited.then((code) => reject(new Error(`orch ${args.join(" ")} exited (${code}) before printing a URL:\n${stdout}\n${stderr}`)));
  });
}

/** Headless chromium; never downloads anything. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM });
}

/** Keeps a screenshot of `page` under test-results/ (a failed test's artefact); returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(process.cwd(), "test-results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
