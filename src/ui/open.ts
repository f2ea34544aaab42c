// Opens the board for a mission: the server over the files, fed by the loop's events (`orch watch
// --ui`) or, for a mission nobody runs here (`orch ui`), by a watcher on the files the loop writes.
import path from "node:path";
import type { FSWatcher } from "chokidar";
import type { Config } from "../spec/index.js";
import { createSpecCache } from "../spec/index.js";
import { startWatcher, watchedPaths, type LoopEvent } from "../reconcile/index.js";
import { packageRoot, type Clock } from "../util/index.js";
import { BoardServer } from "./server.js";
import { readBoard } from "./read.js";
import type { ListenAddress } from "./address.js";

/** What opening a board needs. */
export interface OpenBoardOptions {
  root: string;
  config: Config;
  listen: ListenAddress;
  /** True when the loop runs in this process and passes its events to `event`. */
  live: boolean;
  /** One task's details (what `orch show` reports). */
  details(id: string): Promise<unknown>;
  clock: Clock;
  now: () => number;
}

/** An open board. */
export interface OpenBoard {
  url: string;
  /** Hands the board one loop event. */
  event(e: LoopEvent): void;
  close(): Promise<void>;
}

/** Starts the board server; resolves once it listens. */
export async function openBoard(o: OpenBoardOptions): Promise<OpenBoard> {
  const merged = new Map<string, string>();
  const cache = createSpecCache();
  const source = {
    read: () => readBoard({ root: o.root, live: o.live, merged, now: o.now, cache, models: o.config.models }),
    details: o.details,
  };
  const server = new BoardServer({ listen: o.listen, source, assetsDir: path.join(packageRoot(), "dist", "ui", "page"), live: o.live, clock: o.clock });
  const url = await server.start();
  let watcher: FSWatcher | undefined;
  // Nobody's loop reports here: what it writes on disk is what changes the board.
  if (!o.live) {
    const dot = path.join(o.root, ".orchestrator");
    watcher = await startWatcher([...watchedPaths(o.root, o.config), ...["state", "history", "worktrees", "runtime/workspaces"].map((d) => path.join(dot, d))], () => server.changed());
  }
  return {
    url,
    event: (e) => {
      if (e.type === "merge" && e.sha) merged.set(e.task, e.sha);
      server.event(e);
    },
    close: async () => {
      await watcher?.close();
      await server.close();
    },
  };
}
