// The built CLI in a child process, as a user runs it; resolves on exit (no sleeps).
import { execFileSync, spawn, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Absolute path of the built bin, the esbuild bundle (`npm test` builds first). */
export const CLI = fileURLToPath(new URL("../../dist/bin/orch.js", import.meta.url));

/** What a CLI run printed and its exit status. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `orch <args>` (in `cwd`, default this process's) and collects its output. */
export function runOrch(args: string[], cwd?: string): Promise<CliResult> {
  return runProcess(process.execPath, [CLI, ...args], cwd);
}

/** Runs `cmd args` (in `cwd`, default this process's; `options` as spawn's) and collects its output. */
export function runProcess(cmd: string, args: string[], cwd?: string, options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...options, ...(cwd ? { cwd } : {}), stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

let scriptChecked: boolean | undefined;

/**
 * Whether util-linux's `script` is here: it runs a command on a pty (a real terminal). BSD's and
 * busybox's take other flags. Asked once, by the tests that need it.
 */
export function hasScript(): boolean {
  if (scriptChecked === undefined) {
    try {
      scriptChecked = execFileSync("script", ["--version"], { encoding: "utf8" }).includes("util-linux");
    } catch {
      scriptChecked = false;
    }
  }
  return scriptChecked;
}

/**
 * Runs `orch <args>` on a pty through `script`, with `stty` settings first (e.g. "cols 40"); its
 * output as the terminal got it (\r\n made \n). Without them the pty has no size (0 columns):
 * `script` sizes it from its own stdin, a pipe here.
 */
export async function runOrchInTerminal(args: string[], stty?: string): Promise<CliResult> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, CLI, ...args].map(quote).join(" ");
  const r = await runProcess("script", ["-qec", `${stty ? `stty ${stty}; ` : ""}${cmd}`, "/dev/null"]);
  return { ...r, stdout: r.stdout.replace(/\r\n/g, "\n") };
}
