// CodeTools backed by a small pool of orch-native processes: least-busy dispatch, a dead process
// is replaced on the next request, zod checks every reply, close() shuts all down.
import { z } from "zod";
import { OrchError } from "../util/index.js";
import { NativeProcess } from "./rpc-process.js";
import {
  GlobResultSchema,
  GrepResultSchema,
  OutlineResultSchema,
  ReferencesResultSchema,
  SymbolResultSchema,
  type CodeTools,
  type FileOutline,
  type GlobResult,
  type GrepOptions,
  type GrepResult,
  type ReferencesResult,
  type SymbolResult,
} from "./types.js";

/** Pool settings. */
export interface PoolOptions {
  /** Number of processes (config.context.nativePool), at least 1. */
  size: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

/** orch-native processes serving one root. */
export class NativePool implements CodeTools {
  readonly kind = "native" as const;
  private readonly slots: Array<NativeProcess | undefined>;
  private closed = false;
  /** How many processes were started, restarts included. */
  started = 0;

  constructor(
    readonly root: string,
    readonly binary: string,
    private readonly opts: PoolOptions,
  ) {
    this.slots = new Array(Math.max(1, opts.size)).fill(undefined);
  }

  /** Pids of the live processes (for tests and `orch doctor`). */
  pids(): number[] {
    return this.slots.flatMap((p) => (p?.alive && p.pid ? [p.pid] : []));
  }

  /** Sends a request on the least busy live process, starting one where a slot is empty or dead. */
  async call<T>(method: string, params: Record<string, unknown>, schema: z.ZodType<T>, timeoutMs?: number): Promise<T> {
    const proc = this.pick();
    const raw = await proc.request(method, params, timeoutMs);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new OrchError("native-bad-reply", `orch-native answered ${method} with an unexpected shape: ${parsed.error.issues[0]?.message ?? "?"}`, {
        hint: "Rebuild orch-native (`npm run build:native`) so that it matches this orch.",
      });
    }
    return parsed.data;
  }

  /** The process a request goes to (exposed for tests that write raw lines). */
  pick(): NativeProcess {
    if (this.closed) throw new OrchError("native-closed", "the code tools were closed");
    let best: NativeProcess | undefined;
    for (let i = 0; i < this.slots.length; i++) {
      let p = this.slots[i];
      if (!p?.alive) {
        p = new NativeProcess(this.binary, this.opts.timeoutMs);
        this.started++;
        this.slots[i] = p;
      }
      if (!best || p.inflight < best.inflight) best = p;
      if (best.inflight === 0) break;
    }
    return best!;
  }

  grep(o: GrepOptions): Promise<GrepResult> {
    return this.call("grep", { root: this.root, ...o }, GrepResultSchema);
  }
  glob(patterns: string[]): Promise<GlobResult> {
    return this.call("glob", { root: this.root, patterns }, GlobResultSchema);
  }
  async outline(paths: string[]): Promise<FileOutline[]> {
    if (paths.length === 0) return [];
    return (await this.call("outline", { root: this.root, paths }, OutlineResultSchema)).files;
  }
  references(name: string, paths?: string[]): Promise<ReferencesResult> {
    return this.call("references", { root: this.root, name, ...(paths ? { paths } : {}) }, ReferencesResultSchema);
  }
  symbol(path: string, name: string): Promise<SymbolResult> {
    return this.call("symbol", { root: this.root, path, name }, SymbolResultSchema);
  }
  /** Answers `{}`; used to measure latency and to check that the binary runs. */
  async ping(): Promise<void> {
    await this.call("ping", {}, z.object({}));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((p) => p?.close()));
  }
}
