// A real repo in a temp dir, a real store, the real loop, the fake runtime; events collected for waiting on.
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { openStore, type Store, type StoreOptions } from "../../src/store/open.js";
import { Reconciler } from "../../src/reconcile/loop.js";
import type { LoopEvent } from "../../src/reconcile/events.js";
import type { TaskState } from "../../src/store/task-state-schema.js";
import { TaskStates } from "../../src/store/task-states.js";
import { FakeRuntime, type FakeScript } from "../support/fake-runtime.js";
import type { Clock } from "../../src/util/clock.js";

export interface Harness {
  root: string;
  store: Store;
  runtime: FakeRuntime;
  loop: Reconciler;
  events: LoopEvent[];
  waitFor(pred: (e: LoopEvent) => boolean, ms?: number): Promise<LoopEvent>;
  state(id: string): Promise<TaskState | undefined>;
  todo(): string;
  write(rel: string, text: string): void;
  close(): Promise<void>;
}

/** Makes a repo with TODO.md, optional task files and config; does not start the loop. */
export function makeRepo(todo: string, files: Record<string, string> = {}, config: Record<string, unknown> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), "orch-loop-"));
  writeFileSync(path.join(root, "TODO.md"), todo);
  mkdirSync(path.join(root, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ review: { enabled: false }, retry: { baseMs: 20, maxMs: 100, jitter: 0 }, ...config }, null, 2));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** Starts the loop on a repo; with `clock` (a FakeClock), the loop's timers run on fake time (the fake sessions do not). */
export async function startLoop(root: string, script: FakeScript = {}, watch = false, contextPacks = false, storeOptions: StoreOptions = {}, clock?: Clock): Promise<Harness> {
  const store = openStore(root, clock ? { now: () => clock.now(), ...storeOptions } : storeOptions);
  const runtime = new FakeRuntime(script);
  const events: LoopEvent[] = [];
  const waiters: { pred: (e: LoopEvent) => boolean; resolve: (e: LoopEvent) => void }[] = [];
  const loop = new Reconciler({
    root,
    store,
    runtime,
    watch,
    contextPacks,
    deleteGraceMs: 50,
    ...(clock ? { clock } : {}),
    emit: (e) => {
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    },
  });
  await loop.start();
  return {
    root,
    store,
    runtime,
    loop,
    events,
    waitFor: (pred, ms = 10_000) => {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting; last events: ${JSON.stringify(events.slice(-8))}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
    state: async (id) => (await new TaskStates(store).read(id))?.value,
    todo: () => readFileSync(path.join(root, "TODO.md"), "utf8"),
    write: (rel, text) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    },
    close: async () => {
      await loop.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Waits until the loop has nothing left to do (its last pass had no action, nothing runs, no pass is due). */
export async function settle(h: Harness, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled; last events: ${JSON.stringify(h.events.slice(-8))}`)), ms);
  });
  try {
    await Promise.race([h.loop.until(() => h.loop.settled), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A named pipe in the repo and the shell command that waits on it: a verify that ends when the test says so. */
export function gate(root: string, name = "gate"): { command: string; open: () => Promise<void> } {
  execFileSync("mkfifo", [path.join(root, name)]);
  // Opening a pipe for writing waits for its reader (the command), in the thread pool, so the order does not matter.
  return { command: `cat ${name} > /dev/null`, open: () => writeFile(path.join(root, name), "go\n") };
}
