// The mission history: .orchestrator/history/<task>.jsonl, appended under a per-task lock. A task's
// history shares the lock of its state record (state/<task>), so a state write appends its history
// in the same critical section: one lock per write, not two.
import fs from "node:fs/promises";
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { OrchError, type Problem } from "../util/index.js";
import type { HistoryEvent, Journal } from "./types.js";
import { fsyncDir, fsyncFd, writeAll } from "./atomic.js";
import { HistoryEventSchema, formatEvent } from "./history-event.js";
import { errno, ioError } from "./io-errors.js";
import { withLock, type LockOptions } from "./lock.js";
import { StorePaths, checkKey } from "./paths.js";

/** Events plus the lines that could not be read (a bad merge, a hand edit). */
export interface JournalRead {
  events: HistoryEvent[];
  problems: Problem[];
}

export class FileJournal implements Journal {
  constructor(
    private readonly paths: StorePaths,
    private readonly lock: LockOptions,
  ) {}

  async append(events: HistoryEvent[]): Promise<void> {
    for (const [task, lines] of this.byTask(events)) await withLock(this.paths.lock(`state/${task}`), this.lock, () => appendLines(this.paths.history(task), lines));
  }

  async appendHeld(events: HistoryEvent[]): Promise<void> {
    for (const [task, lines] of this.byTask(events)) await appendLines(this.paths.history(task), lines);
  }

  /** Validated events as formatted lines, by task. */
  private byTask(events: HistoryEvent[]): Map<string, string[]> {
    const byTask = new Map<string, string[]>();
    for (const e of events) {
      const ok = HistoryEventSchema.safeParse(e);
      if (!ok.success) {
        const i = ok.error.issues[0];
        throw new OrchError("bad-event", `history event for ${String(e?.task)}: ${i?.path.join(".") || "(root)"}: ${i?.message}`, {
          hint: "A history event needs at least at, task and kind.",
        });
      }
      const parsed = ok.data as HistoryEvent;
      checkKey(parsed.task);
      byTask.set(parsed.task, [...(byTask.get(parsed.task) ?? []), formatEvent(parsed)]);
    }
    return byTask;
  }

  async read(task?: string): Promise<HistoryEvent[]> {
    return (await this.readDetailed(task)).events;
  }

  /** Like read, and reports unreadable lines as problems instead of failing. */
  async readDetailed(task?: string): Promise<JournalRead> {
    const files = task ? [this.paths.history(task)] : await this.allFiles();
    const events: HistoryEvent[] = [];
    const problems: Problem[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = await fs.readFile(file, "utf8");
      } catch (err) {
        if (errno(err) === "ENOENT") continue;
        throw ioError(err, "read", this.paths.rel(file));
      }
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        if (line.trim() === "") return;
        // A last line without its newline is an append that never finished: not an event.
        if (i === lines.length - 1) return;
        let ev: unknown;
        try {
          ev = JSON.parse(line);
        } catch {
          ev = undefined;
        }
        const ok = HistoryEventSchema.safeParse(ev);
        if (ok.success) events.push(ok.data as HistoryEvent);
        else
          problems.push({
            code: "bad-history-line",
            severity: "warning",
            file: this.paths.rel(file),
            line: i + 1,
            col: 1,
            message: ev === undefined ? "not valid JSON; line skipped" : `not a history event (${ok.error.issues[0]?.message}); line skipped`,
            hint: "Fix or delete the line (a merge conflict marker, perhaps).",
          });
      });
    }
    // Stable sort by time: per-task files are each in order; merging keeps ties in file order.
    events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { events, problems };
  }

  private async allFiles(): Promise<string[]> {
    const dir = path.join(this.paths.dir, "history");
    try {
      const names = await fs.readdir(dir);
      return names.filter((n) => n.endsWith(".jsonl")).sort().map((n) => path.join(dir, n));
    } catch (err) {
      if (errno(err) === "ENOENT") return [];
      throw ioError(err, "list", this.paths.rel(dir));
    }
  }
}

/**
 * O_APPEND + fsync. A torn tail left by a crash (no final newline) was never acknowledged: cut it.
 * Synchronous but for the fsync, as in atomic.ts.
 */
async function appendLines(file: string, lines: string[]): Promise<void> {
  try {
    let fd: number;
    try {
      fd = openSync(file, "a+");
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
      mkdirSync(path.dirname(file), { recursive: true }); // the history folder, on first need
      fd = openSync(file, "a+");
    }
    let created = false;
    try {
      const { size } = fstatSync(fd);
      created = size === 0;
      const last = Buffer.alloc(1);
      if (size > 0) readSync(fd, last, 0, 1, size - 1);
      // Only a torn file needs its tail read back to find the last complete line.
      if (size > 0 && last[0] !== 0x0a) {
        const tail = Buffer.alloc(Math.min(size, 64 * 1024));
        readSync(fd, tail, 0, tail.length, size - tail.length);
        const cut = tail.lastIndexOf(0x0a);
        ftruncateSync(fd, cut < 0 ? size - tail.length : size - tail.length + cut + 1);
      }
      writeAll(fd, lines.map((l) => `${l}\n`).join(""));
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    if (created) await fsyncDir(path.dirname(file));
  } catch (err) {
    throw ioError(err, "append to", file);
  }
}
