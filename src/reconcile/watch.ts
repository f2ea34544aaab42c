// File watching: chokidar on TODO.md, the tasks folder, the config, the control requests, approvals and the inbox. Events carry
// nothing but "look again": the loop re-reads everything (level-triggered), so a coalesced event loses nothing.
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Config } from "../spec/index.js";

/** Paths whose change should trigger a pass. */
export function watchedPaths(root: string, config: Config): string[] {
  return [
    path.join(root, config.todo),
    path.join(root, config.tasksDir),
    path.join(root, ".orchestrator", "config.json"),
    path.join(root, ".orchestrator", "control"),
    path.join(root, ".orchestrator", "approvals"),
    path.join(root, ".orchestrator", "inbox"),
  ];
}

/** Starts watching; `onChange` gets the changed path. Resolves once the watcher is ready. */
export async function startWatcher(paths: string[], onChange: (file: string) => void): Promise<FSWatcher> {
  const w = watch(paths, { ignoreInitial: true, depth: 1, ignored: (p) => p.endsWith(".tmp") || p.includes(`${path.sep}.git${path.sep}`) });
  for (const ev of ["add", "change", "unlink", "addDir", "unlinkDir"] as const) w.on(ev, (p: string) => onChange(p));
  await new Promise<void>((resolve) => w.once("ready", () => resolve()));
  return w;
}
