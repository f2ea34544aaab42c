// Spawning real store clients for the tests, and waiting on the lines they print.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(HERE, "worker.ts");
// Bundled once per run (node_modules stay external): a process then starts in ~0.1 s instead of
// ~0.5 s under tsx, which keeps 100+ kill -9 rounds within the time budget on two cores.
const BUNDLE = path.join(HERE, "../../node_modules/.cache/orch-store-test/worker.mjs");
let built = false;

/** Bundles worker.ts (and the store sources it imports) to plain JS; call before spawnWorker. */
export async function buildWorker(): Promise<void> {
  if (built) return;
  const { build } = await import("esbuild");
  await build({ entryPoints: [WORKER], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: BUNDLE, logLevel: "error" });
  built = true;
}

export interface Worker {
  child: ChildProcess;
  lines: Record<string, any>[];
  /** Resolves with the first line (seen or future) matching `pred`; rejects if the process exits first. */
  waitFor(pred: (l: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  exited: Promise<number | null>;
  send(): void;
}

/** Starts `worker.ts <mode>` as a real node process. */
export function spawnWorker(mode: string, args: object): Worker {
  const argv = built ? [BUNDLE] : ["--import", "tsx", WORKER];
  const child = spawn(process.execPath, [...argv, mode, JSON.stringify(args)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, any>[] = [];
  const waiters: { pred: (l: any) => boolean; resolve: (l: any) => void }[] = [];
  let buf = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.pred(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(line));
    }
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    lines,
    exited,
    send: () => child.stdin!.write("go\n"),
    waitFor(pred, timeoutMs = 20_000) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout waiting; lines=${JSON.stringify(lines.slice(-3))} stderr=${stderr}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
        exited.then((code) => {
          clearTimeout(t);
          reject(new Error(`worker exited (${code}) first; stderr=${stderr.slice(-2000)} last=${JSON.stringify(lines.slice(-2))}`));
        });
      });
    },
  };
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // still mounted (io-errors unmounts in its own afterAll) or busy: leave it to the OS
    }
  }
});

/** A fresh temp folder, removed after the test file. */
export function tempDir(name = "orch-store-"): string {
  const d = mkdtempSync(path.join(os.tmpdir(), name));
  made.push(d);
  return d;
}
