// Versioned JSON records under .orchestrator/<key>.json. Every write: lock, re-read, CAS on the
// version, fence check, temp file + fsync + atomic rename (+ folder fsync), then unlock.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { OrchError } from "../util/index.js";
import type { Fence, RecordStore, Versioned } from "./types.js";
import { atomicWrite, realFs, type WriteFs } from "./atomic.js";
import { EnvelopeSchema, serializeEnvelope, type Envelope } from "./envelope.js";
import { errno, ioError } from "./io-errors.js";
import { jsonEqual } from "./json.js";
import { withLock, type LockOptions, type HeldLock } from "./lock.js";
import { StorePaths, checkKey } from "./paths.js";

/** Verifies that `fence` is the live lease's current token; throws OrchError "fenced" otherwise. */
type FenceCheck = (fence: Fence) => Promise<void>;

export interface RecordStoreDeps {
  paths: StorePaths;
  lock: LockOptions;
  fs?: WriteFs;
  checkFence?: FenceCheck;
  /** Test hook: runs under the lock just before the rename (e.g. to pause a process there). */
  beforeRename?: (key: string) => Promise<void> | void;
}

/** A record file moved aside because it could not be read. */
export interface Quarantined {
  /** Where the damaged file went; undefined when another process had already repaired it. */
  movedTo?: string;
}

export class FileRecordStore implements RecordStore {
  private readonly fs: WriteFs;
  constructor(private readonly deps: RecordStoreDeps) {
    this.fs = deps.fs ?? realFs;
  }

  /** Reads a record. A file that is not a valid record throws OrchError "corrupt" naming it. */
  async read<T>(key: string, parse: (raw: unknown) => T): Promise<Versioned<T> | undefined> {
    const env = await this.readEnvelope(key);
    if (!env) return undefined;
    return { value: this.parseValue(key, env, parse), version: env.version };
  }

  private readonly cached = new Map<string, { sig: string; parse: unknown; out: Versioned<unknown> }>();

  /**
   * `read` through a cache keyed by the file's identity (inode, size, times): writes are atomic
   * renames, so an unchanged identity is unchanged content, and the file is not read or parsed
   * again (one stat). For records read on every write or pass (leases, control requests). The
   * value is shared: callers must not change it.
   */
  async readCached<T>(key: string, parse: (raw: unknown) => T): Promise<Versioned<T> | undefined> {
    const file = this.deps.paths.record(key);
    let sig: string;
    try {
      const st = statSync(file);
      sig = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (err) {
      if (errno(err) !== "ENOENT") throw ioError(err, "read", this.rel(key));
      this.cached.delete(key);
      return undefined;
    }
    const hit = this.cached.get(key);
    if (hit && hit.sig === sig && hit.parse === parse) return hit.out as Versioned<T>;
    const out = await this.read(key, parse);
    // Changed between the stat and the read: the next stat differs from `sig` and reads again.
    if (out) this.cached.set(key, { sig, parse, out });
    else this.cached.delete(key);
    return out;
  }

  async write<T>(key: string, value: T, expected: number | undefined, fence?: Fence): Promise<Versioned<T>> {
    return this.locked(key, async (held) => {
      const cur = await this.readEnvelope(key);
      if (cur?.version !== expected) {
        throw new OrchError(
          "conflict",
          `${this.rel(key)}: expected version ${expected ?? "none"} but found ${cur?.version ?? "none"}`,
          { file: this.rel(key), hint: "Another writer changed it first; re-read and try again." },
        );
      }
      return this.commit(key, cur, value, fence, held);
    });
  }

  async update<T>(
    key: string,
    parse: (raw: unknown) => T,
    change: (current: T | undefined) => T,
    fence?: Fence,
    underLock?: () => Promise<void>,
  ): Promise<Versioned<T>> {
    // The read-modify-write happens under the lock, so `change` always runs on the newest data and
    // the version check that follows cannot fail: no optimistic retry loop is needed (or possible).
    return this.locked(key, async (held) => {
      const cur = await this.readEnvelope(key);
      const current = cur ? this.parseValue(key, cur, parse) : undefined;
      const next = change(current);
      const out = cur && jsonEqual(next, current) ? { value: current as T, version: cur.version } : await this.commit(key, cur, next, fence, held); // equal: no churn
      await underLock?.();
      return out;
    });
  }

  async remove(key: string, expected: number, fence?: Fence): Promise<void> {
    await this.locked(key, async (held) => {
      const cur = await this.readEnvelope(key);
      if (cur?.version !== expected) {
        throw new OrchError("conflict", `${this.rel(key)}: expected version ${expected} but found ${cur?.version ?? "none"}`, {
          file: this.rel(key),
        });
      }
      await this.checkFences(key, cur, fence);
      held.assertHeld();
      try {
        this.fs.unlinkSync(this.deps.paths.record(key));
      } catch (err) {
        throw ioError(err, "remove", this.rel(key));
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    const cut = prefix.lastIndexOf("/") + 1;
    const base = prefix.slice(0, cut);
    const stem = prefix.slice(cut);
    const dir = path.join(this.deps.paths.dir, base);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if (errno(err) === "ENOENT") return [];
      throw ioError(err, "list", this.deps.paths.rel(dir));
    }
    return names
      .filter((n) => n.endsWith(".json") && !n.startsWith(".") && !n.includes(".corrupt-") && n.startsWith(stem))
      .map((n) => base + n.slice(0, -".json".length))
      .sort();
  }

  /**
   * Replaces an unreadable record: under its lock, moves the file aside to
   * `<name>.corrupt-<timestamp>.json` (never deleted) and writes `value` in its place, at a version
   * above any the bad file claimed, so stale CAS holders still conflict.
   */
  async quarantine<T>(key: string, parse: (raw: unknown) => T, value: T, fence?: Fence): Promise<Versioned<T> & Quarantined> {
    return this.locked(key, async (held) => {
      // Another process may have repaired it while we waited for the lock: keep theirs.
      try {
        const env = await this.readEnvelope(key);
        if (env) return { value: this.parseValue(key, env, parse), version: env.version };
      } catch (err) {
        if (!(err instanceof OrchError) || err.code !== "corrupt") throw err;
      }
      const file = this.deps.paths.record(key);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        if (errno(err) !== "ENOENT") throw ioError(err, "read", this.rel(key));
        text = "";
      }
      const claimed = Number(/"version"\s*:\s*(\d+)/.exec(text)?.[1] ?? 0);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const movedTo = file.replace(/\.json$/, `.corrupt-${stamp}.json`);
      if (text) {
        try {
          this.fs.renameSync(file, movedTo);
        } catch (err) {
          throw ioError(err, "move aside", this.rel(key));
        }
      }
      const base: Envelope = { version: claimed, fences: {}, value: undefined };
      const out = await this.commit(key, text ? base : undefined, value, fence, held);
      return { ...out, movedTo: this.deps.paths.rel(movedTo) };
    });
  }

  private async commit<T>(key: string, cur: Envelope | undefined, value: T, fence: Fence | undefined, held: HeldLock) {
    await this.checkFences(key, cur, fence);
    const fences = { ...(cur?.fences ?? {}) };
    if (fence) fences[fence.lease] = fence.token;
    const next: Envelope = { version: (cur?.version ?? 0) + 1, fences, value };
    const file = this.deps.paths.record(key);
    await this.ensureDir(path.dirname(file));
    await atomicWrite(file, serializeEnvelope(next), {
      fs: this.fs,
      label: this.rel(key),
      beforeRename: async () => {
        await this.deps.beforeRename?.(key);
        // Last look before the rename: a process paused past the stale time has lost the lock,
        // and one whose lease was taken over meanwhile has lost its right to write.
        held.assertHeld();
        if (fence) await this.deps.checkFence?.(fence);
      },
    });
    return { value, version: next.version };
  }

  private async checkFences(key: string, cur: Envelope | undefined, fence: Fence | undefined): Promise<void> {
    if (!fence) return;
    const seen = cur?.fences[fence.lease];
    if (seen !== undefined && fence.token < seen) {
      throw new OrchError("fenced", `${this.rel(key)}: write with stale token ${fence.token} of lease ${fence.lease} refused (token ${seen} already wrote it)`, {
        file: this.rel(key),
        hint: "This process lost its lease; another holder has taken over.",
      });
    }
    await this.deps.checkFence?.(fence);
  }

  private async readEnvelope(key: string): Promise<Envelope | undefined> {
    const file = this.deps.paths.record(key);
    let text: string;
    try {
      // Synchronous: a record is a few KB, and the async read's four thread-pool round trips each
      // wait for the event loop (tens of ms in all when the loop is busy, e.g. at start-up).
      text = readFileSync(file, "utf8");
    } catch (err) {
      if (errno(err) === "ENOENT") return undefined;
      throw ioError(err, "read", this.rel(key));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw this.corrupt(key, `not valid JSON (${(err as Error).message})`);
    }
    const env = EnvelopeSchema.safeParse(raw);
    if (!env.success) throw this.corrupt(key, `not an orch record (${env.error.issues[0]?.message ?? "bad shape"})`);
    return env.data;
  }

  private parseValue<T>(key: string, env: Envelope, parse: (raw: unknown) => T): T {
    try {
      return parse(env.value);
    } catch (err) {
      const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
      const why = issues?.length
        ? issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")
        : (err as Error).message;
      throw this.corrupt(key, `does not match its schema (${why})`);
    }
  }

  private corrupt(key: string, why: string): OrchError {
    return new OrchError("corrupt", `${this.rel(key)}: ${why}`, {
      file: this.rel(key),
      hint: "orch moves a damaged record aside (never deletes it) and rebuilds it from history.",
    });
  }

  private readonly dirs = new Set<string>();
  private async ensureDir(dir: string): Promise<void> {
    if (this.dirs.has(dir)) return;
    try {
      mkdirSync(dir, { recursive: true }); // one metadata call, once per folder and process
    } catch (err) {
      throw ioError(err, "create the folder", this.deps.paths.rel(dir));
    }
    this.dirs.add(dir);
  }

  private locked<T>(key: string, fn: (held: HeldLock) => Promise<T>): Promise<T> {
    return withLock(this.deps.paths.lock(checkKey(key)), this.deps.lock, fn);
  }

  private rel(key: string): string {
    return this.deps.paths.rel(this.deps.paths.record(key));
  }
}
