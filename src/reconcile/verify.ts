// The verify stage: orch itself runs the task's verify commands (not the agent), one after another,
// each with a timeout, keeping the tail of the output for the state record and the history.
import { spawn } from "node:child_process";
import type { VerifyResult } from "../store/index.js";
import { wrap, type ConfinePlan } from "../runtime/index.js";

/** How much output to keep per command. */
const VERIFY_TAIL_BYTES = 4096;

/** Options of one verify run. */
export interface VerifyOptions {
  cwd: string;
  timeoutMs: number;
  /** Stops the run early (orch is shutting down or the attempt was aborted). */
  signal?: AbortSignal;
  now?: () => number;
  /**
   * Run each command confined to these writes (confinement.ts): verify commands execute the agent's
   * code (`node --test` runs what the worker wrote), so they get the agents' confinement. Absent: unconfined.
   */
  confine?: ConfinePlan;
}

/** Runs the commands in order through `/bin/sh -c`; stops at the first failure. An empty list passes. */
export async function runVerify(commands: readonly string[], opts: VerifyOptions): Promise<VerifyResult> {
  const now = opts.now ?? Date.now;
  const results: VerifyResult["commands"] = [];
  // A spawn blocks this thread until the child has exec'd (several ms on a busy machine): let the
  // work already queued go first, e.g. the pass that starts the next session in the slot just freed.
  if (commands.length) await new Promise((r) => setImmediate(r));
  for (const command of commands) {
    const r = await runOne(command, opts, now);
    results.push(r);
    if (r.exitCode !== 0 || r.timedOut) break;
  }
  return { ok: results.every((r) => r.exitCode === 0 && !r.timedOut), at: new Date(now()).toISOString(), commands: results };
}

function runOne(command: string, opts: VerifyOptions, now: () => number): Promise<VerifyResult["commands"][number]> {
  const started = now();
  return new Promise((resolve) => {
    // A process group of its own, so a timeout kills the command's children too.
    const argv = opts.confine ? wrap(["/bin/sh", "-c", command], opts.confine, opts.cwd) : ["/bin/sh", "-c", command];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1" } });
    let tail = Buffer.alloc(0);
    const keep = (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > VERIFY_TAIL_BYTES * 2) tail = tail.subarray(tail.length - VERIFY_TAIL_BYTES);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const onAbort = () => kill();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) kill(); // "abort" fired before we listened
    const finish = (exitCode: number | null, extra = "") => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      const text = tail.subarray(Math.max(0, tail.length - VERIFY_TAIL_BYTES)).toString("utf8") + extra;
      resolve({ command, exitCode, timedOut, durationMs: now() - started, output: text });
    };
    child.on("error", (err) => finish(null, `\norch: could not run the command: ${err.message}`));
    child.on("close", (code) => finish(timedOut ? null : code, timedOut ? `\norch: timed out after ${opts.timeoutMs} ms` : ""));
  });
}
