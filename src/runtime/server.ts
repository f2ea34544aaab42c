// The OpenCode server orch talks to: either an external `opencode serve` (--server URL) or one
// orch starts itself, hermetic and offline-safe, and keeps alive (health check, restart on death).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OrchError } from "../util/index.js";
import { wrap, type ConfinePlan } from "./confinement.js";
import type { RuntimeVersion } from "./protocol.js";
import { hermeticEnv, killStaleServer, serverPlan, userEnv } from "./server-launch.js";
import { findOpencodeBin, probeServer, resolveBinary, type RuntimeChoice } from "./versions.js";

/** How to reach (or start) the server. */
export interface ServerOptions {
  /** An external server; orch never starts or stops it. */
  url?: string;
  password?: string;
  /** Where an owned server's HOME/XDG dirs live (e.g. <root>/.orchestrator/runtime). */
  stateDir: string;
  /** OpenCode config for an owned server, passed as OPENCODE_CONFIG_CONTENT (or built lazily at first start). */
  config?: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
  /**
   * Isolate the server from the user's HOME (fresh HOME/XDG under stateDir; for the demo and
   * tests). When false it keeps the user's environment, so their provider logins work.
   */
  hermetic?: boolean;
  /** Binary; default: findOpencodeBin(runtime). */
  bin?: string;
  /** config `runtime`: the OpenCode version to start or expect (default auto: by the binary, or by what the server answers). */
  runtime?: RuntimeChoice;
  startTimeoutMs?: number;
  /** Restarts allowed after unexpected exits (guards against a crash loop). */
  maxRestarts?: number;
  /** Receives server stderr/stdout lines (for a log file); default: dropped. */
  log?: (line: string) => void;
  /**
   * Run an owned server confined (confinement.ts): it writes only these paths, plus its own home
   * (stateDir, or the user's OpenCode dirs when not hermetic) and a private /tmp. Absent: unconfined.
   */
  confine?: ConfinePlan;
}

// OpenCode 1 prints "opencode server listening on …"; OpenCode 2 "server listening on …", then its password.
const LISTEN_RE = /server listening on (http:\/\/[^\s]+)/i;
const PASSWORD_RE = /server password (\S+)/;

/** Basic-auth header for a password-protected server (OpenCode's username defaults to "opencode"). */
export function authHeaders(password?: string): Record<string, string> {
  return password ? { Authorization: `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}` } : {};
}

function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false; // not a URL: its requests fail, and say so
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** One OpenCode server, external or owned. */
export class OpenCodeServer {
  private child?: ChildProcess;
  private current?: string;
  private starting?: Promise<string>;
  private restarts = 0;
  private healthyAt = 0;
  /** The health check in flight; answered() settles it early. */
  private checking?: { healthy: Promise<boolean>; answered: () => void };
  private stopped = false;
  private readonly downListeners = new Set<() => void>();
  /** The version this server speaks, once known (owned: its binary's; external: what it answered). */
  private resolved?: RuntimeVersion;
  /** Why the last health check failed, in words for the error a session reports. */
  private unhealthy?: string;
  /** The password: configured, or the one an owned OpenCode 2 printed as it started. */
  private pw?: string;

  constructor(private readonly opts: ServerOptions) {
    this.current = opts.url?.replace(/\/$/, "");
    this.pw = opts.password;
    if (opts.runtime && opts.runtime !== "auto") this.resolved = opts.runtime;
  }

  /**
   * The OpenCode version of this server: fixed by config, else an owned server's binary's, else what
   * an external server answers (asked once, by the health check).
   */
  async version(): Promise<RuntimeVersion> {
    if (this.resolved) return this.resolved;
    if (this.owned) {
      this.resolved = resolveBinary(this.opts.runtime ?? "auto")?.runtime ?? "opencode1"; // no binary: the start fails and says so
      return this.resolved;
    }
    await this.ensureUp();
    return this.resolved ?? "opencode1";
  }

  /** Why the server did not pass its last health check. */
  get unhealthyReason(): string {
    return this.unhealthy ?? `OpenCode server ${this.current} does not answer /global/health`;
  }

  /** True when orch started this server and owns its lifecycle. */
  get owned(): boolean {
    return this.opts.url === undefined;
  }

  get password(): string | undefined {
    return this.pw;
  }

  /**
   * Headers of every request orch sends it: basic auth when it has a password; on a loopback
   * server (an owned one always is), no compression: gzip there costs both processes CPU and
   * saves no time (OpenCode gzips larger responses, e.g. a session's messages).
   */
  get headers(): Record<string, string> {
    return { ...authHeaders(this.pw), ...(this.owned || isLoopback(this.current!) ? { "accept-encoding": "identity" } : {}) };
  }

  /** The URL when up (owned servers may move port after a restart). */
  get url(): string | undefined {
    return this.current;
  }

  /** Called when an owned server exits unexpectedly; sessions on it are gone. */
  onDown(fn: () => void): () => void {
    this.downListeners.add(fn);
    return () => this.downListeners.delete(fn);
  }

  /**
   * Asks the server what it is (versions.ts: OpenCode 1's /global/health, OpenCode 2's /api/info);
   * false on any failure, or when it is not the version the config asks for.
   */
  async healthy(timeoutMs = 2_000): Promise<boolean> {
    if (!this.current) return false;
    const probe = await probeServer(this.current, this.headers, timeoutMs);
    if (!probe.ok) {
      this.unhealthy = probe.detail;
      return false;
    }
    if (this.resolved && probe.runtime !== this.resolved) {
      this.unhealthy = `OpenCode server ${this.current} is ${probe.runtime === "opencode2" ? "OpenCode 2" : "OpenCode 1"}${probe.version ? ` (${probe.version})` : ""}, but config runtime is "${this.resolved}"`;
      return false;
    }
    this.resolved = probe.runtime;
    return true;
  }


  /**
   * Where to open the event stream: an external server's URL at once (the connection is its own
   * health check, see answered()); an owned server's once it is up. The stream never starts an
   * owned server: its reconnects would respawn one that cannot start four times a second.
   */
  streamBase(): Promise<string> {
    if (!this.owned) return Promise.resolve(this.current!);
    if (this.starting) return this.starting;
    if (this.child && this.current && this.child.exitCode === null && this.child.signalCode === null) return Promise.resolve(this.current);
    return Promise.reject(new Error("the OpenCode server is not running"));
  }

  /** A request to an external server succeeded (the event stream opened): it counts as a health check. */
  answered(): void {
    if (this.owned) return;
    this.healthyAt = Date.now();
    this.checking?.answered();
  }

  /** Returns a URL of a running server: starts (or restarts) an owned one when needed. */
  async ensureUp(): Promise<string> {
    if (!this.owned) {
      // Checked at most every few seconds: every SDK call goes through here; callers at once share one check.
      if (Date.now() - this.healthyAt < 5_000) return this.current!;
      if (!this.checking) {
        let answered!: () => void;
        const answer = new Promise<boolean>((r) => (answered = () => r(true)));
        this.checking = { healthy: Promise.race([this.healthy(), answer]).finally(() => (this.checking = undefined)), answered };
      }
      if (!(await this.checking.healthy))
        throw new OrchError("server-unreachable", this.unhealthyReason, {
          hint: "Start it with `opencode serve`, check --server and the password, or omit --server to let orch start one.",
        });
      this.healthyAt = Date.now();
      return this.current!;
    }
    if (this.stopped) throw new OrchError("server-stopped", "the OpenCode server was stopped");
    if (this.child && this.current && this.child.exitCode === null) return this.current;
    this.starting ??= this.version().then(() => this.resolveConfig()).then((cfg) => this.spawnServer(cfg)).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private resolvedConfig?: Record<string, unknown>;
  private async resolveConfig(): Promise<Record<string, unknown>> {
    const c = this.opts.config;
    this.resolvedConfig ??= typeof c === "function" ? await c() : (c ?? {});
    return this.resolvedConfig;
  }

  private spawnServer(cfg: Record<string, unknown>): Promise<string> {
    const bin = this.opts.bin ?? findOpencodeBin(this.resolved ?? this.opts.runtime) ?? "opencode";
    mkdirSync(this.opts.stateDir, { recursive: true });
    killStaleServer(this.opts.stateDir);
    const env = this.opts.hermetic === false ? userEnv(cfg, this.opts.password) : hermeticEnv(this.opts.stateDir, cfg, this.opts.password);
    // OpenCode 2 prints a password of its own unless it is given one: the start waits for that line.
    const needsPassword = this.resolved === "opencode2" && !env.OPENCODE_SERVER_PASSWORD;
    let argv = [bin, "serve", "--hostname=127.0.0.1", "--port=0"];
    if (this.opts.confine) argv = wrap(argv, serverPlan(this.opts.confine, this.opts.stateDir, env), this.opts.stateDir);
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd: this.opts.stateDir, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.current = undefined;
    if (child.pid) writeFileSync(path.join(this.opts.stateDir, "server.pid"), String(child.pid));
    // Never leave an owned server behind when orch exits (even on an uncaught error).
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    const timeoutMs = this.opts.startTimeoutMs ?? 30_000;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      let buf = "";
      const fail = (msg: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new OrchError("server-start-failed", msg, { hint: "Check that `opencode` runs (`orch doctor` says which binary orch uses) and see the server log." }));
      };
      const timer = setTimeout(() => fail(`opencode serve did not report its port within ${timeoutMs} ms`), timeoutMs);
      let listening: string | undefined;
      let password = needsPassword ? undefined : env.OPENCODE_SERVER_PASSWORD;
      const onLine = (line: string) => {
        const pw = PASSWORD_RE.exec(line);
        if (pw) password = pw[1];
        else this.opts.log?.(line); // a password is not written to the log
        listening ??= LISTEN_RE.exec(line)?.[1]?.replace(/\/$/, "");
        if (listening && (password || !needsPassword) && !settled) {
          settled = true;
          clearTimeout(timer);
          this.current = listening;
          this.pw = password;
          resolve(this.current);
        }
      };
      const feed = (d: Buffer) => {
        buf += d.toString("utf8");
        const lines = buf.split("\n");
        buf = lines.pop()!;
        lines.forEach(onLine);
      };
      child.stdout!.on("data", feed);
      child.stderr!.on("data", (d: Buffer) => d.toString("utf8").split("\n").filter(Boolean).forEach((l) => this.opts.log?.(l)));
      child.once("error", (e) => fail(`cannot start ${bin}: ${e.message}`));
      child.once("exit", (code, signal) => {
        if (!settled) return fail(`opencode serve exited during start (code ${code}, signal ${signal})`);
        if (this.child !== child) return;
        this.current = undefined;
        if (this.stopped) return;
        for (const fn of this.downListeners) fn();
        // Restart eagerly so the next session finds a server; bounded to avoid a crash loop.
        if (this.restarts++ < (this.opts.maxRestarts ?? 5)) this.ensureUp().catch((e: unknown) => this.opts.log?.(`restart failed: ${String(e)}`));
      });
    });
  }

  /** The pid of an owned server (tests kill it to prove restarts). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Stops an owned server (SIGTERM, then SIGKILL after a grace period); no-op for external ones. */
  async stop(graceMs = 3_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    rmSync(path.join(this.opts.stateDir, "server.pid"), { force: true });
  }
}
