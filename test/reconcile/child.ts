// Starts test/support/loop-child.ts in a child process and lets tests wait on its JSON events.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FakeScript } from "../support/fake-runtime.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, "..", "support", "loop-child.ts");

export interface Child {
  proc: ChildProcess;
  events: Record<string, unknown>[];
  waitFor(pred: (e: Record<string, any>) => boolean, ms?: number): Promise<Record<string, any>>;
  exited: Promise<number | null>;
}

export function startChild(root: string, mode: "watch" | "run", script: FakeScript): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", entry, root, mode], { env: { ...process.env, ORCH_FAKE_SCRIPT: JSON.stringify(script) }, stdio: ["ignore", "pipe", "pipe"] });
  const events: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, any>) => boolean; resolve: (e: Record<string, any>) => void }[] = [];
  let buf = "";
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr += d));
  proc.stdout!.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return {
    proc,
    events,
    exited,
    waitFor: (pred, ms = 20_000) => {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`child: timed out; stderr: ${stderr.slice(-2000)}; last events: ${JSON.stringify(events.slice(-6))}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
  };
}
