// One orch-native child process: newline-delimited JSON-RPC over stdio, request ids, per-request
// timeouts, and a clean failure of every pending request when the process dies.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { z } from "zod";
import { OrchError } from "../util/index.js";

const ReplySchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.number(), z.string(), z.null()]),
  result: z.unknown().optional(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
});

/** A JSON-RPC error answered by orch-native (bad params, path outside root, not found...). */
class NativeRpcError extends OrchError {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super("native-rpc", message, { hint: rpcCode === -32001 ? "Name paths inside the repository root." : undefined });
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** A running orch-native process. */
export class NativeProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Pieces of a reply line not yet ended by a newline. */
  private partial: string[] = [];
  private stderrTail = "";
  private exited = false;
  /** Killed after a timeout but maybe not exited yet: no new requests go to it. */
  private doomed = false;
  /** Error replies that answered no request of ours (e.g. to a malformed line). */
  readonly strays: Array<{ code: number; message: string }> = [];
  /** Resolves when the process has exited, whatever the cause. */
  readonly exit: Promise<void>;

  constructor(
    readonly binary: string,
    private readonly timeoutMs: number,
  ) {
    this.child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-2000);
    });
    // A write to a dead process fails with EPIPE; the exit handler reports it to callers.
    this.child.stdin.on("error", () => {});
    this.exit = new Promise((resolve) => {
      const done = (why: string) => {
        if (this.exited) return;
        this.exited = true;
        this.failAll(new OrchError("native-crashed", `orch-native ${why}${this.stderrTail ? `: ${this.stderrTail.trim()}` : ""}`, { hint: "The request failed; the pool starts a fresh process for the next one." }));
        resolve();
      };
      this.child.on("exit", (code, signal) => done(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      this.child.on("error", (err) => done(`could not run: ${err.message}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get alive(): boolean {
    return !this.exited && !this.doomed;
  }
  get inflight(): number {
    return this.pending.size;
  }

  /** Sends one request; resolves with its result or rejects with NativeRpcError / OrchError. */
  request(method: string, params: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<unknown> {
    if (!this.alive) return Promise.reject(new OrchError("native-crashed", "orch-native is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OrchError("native-timeout", `orch-native did not answer ${method} within ${timeoutMs} ms`, { hint: "Narrow the request (globs, paths) or raise the timeout." }));
        // A process stuck on one request would delay every later one: replace it.
        this.doomed = true;
        this.child.kill("SIGKILL");
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  /** Writes a raw line (tests use it to send malformed input). */
  writeRaw(line: string): void {
    this.child.stdin.write(line.endsWith("\n") ? line : `${line}\n`);
  }

  /** Closes stdin (orch-native exits on EOF); kills it if it has not exited after graceMs. */
  async close(graceMs = 1_000): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  private onData(chunk: string): void {
    // Scan only the new chunk for line ends and join the pieces once: rescanning a growing buffer
    // made a multi-megabyte outline reply cost quadratic time.
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf("\n", start)) >= 0) {
      const piece = chunk.slice(start, nl);
      const line = this.partial.length ? this.partial.join("") + piece : piece;
      this.partial = [];
      start = nl + 1;
      if (line.length > 0) this.onLine(line);
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  private onLine(line: string): void {
    let reply: z.infer<typeof ReplySchema>;
    try {
      reply = ReplySchema.parse(JSON.parse(line));
    } catch {
      this.stderrTail = `unreadable reply: ${line.slice(0, 200)}`;
      return;
    }
    if (typeof reply.id !== "number") {
      // Replies to malformed lines carry id null: keep the last few for diagnostics.
      if (reply.error) this.strays.push(reply.error);
      if (this.strays.length > 10) this.strays.shift();
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return; // Timed out earlier.
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.error) p.reject(new NativeRpcError(reply.error.code, reply.error.message, reply.error.data));
    else p.resolve(reply.result);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
