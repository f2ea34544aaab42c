// The board's HTTP server (Node's http, no framework): the page and its script, the board as JSON,
// one task's details, the live stream (SSE) and /metrics. Read-only: it answers GET and HEAD only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { LoopEvent } from "../reconcile/index.js";
import { OrchError, Timer, type Clock } from "../util/index.js";
import { allowedHosts, refusal, TOKEN_COOKIE } from "./guard.js";
import { Metrics } from "./metrics.js";
import type { ListenAddress } from "./address.js";
import type { Board } from "./wire.js";

/**
 * After an event, the board is read again this much later (events in between share one read), or
 * twice as long as the last read took, whichever is longer: a big mission's read (~0.5 s for 2,000
 * tasks) must not keep a core busy while its loop runs. Phase changes reach the page at once anyway.
 */
const REFRESH_MS = 80;

/** The page's files, built by scripts/bundle-page.mjs into dist/ui/page/. */
const ASSETS: Record<string, string> = { "/": "index.html", "/board.js": "board.js", "/board.css": "board.css" };
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** What the server reads. */
interface BoardSource {
  /** Reads the board from the files. */
  read(): Promise<Board>;
  /** One task's details (the CLI passes what `orch show` reports); OrchError "unknown-task" when there is no such task. */
  details(id: string): Promise<unknown>;
}

/** How the server runs. */
export interface BoardServerOptions {
  listen: ListenAddress;
  source: BoardSource;
  /** The folder of the built page (dist/ui/page). */
  assetsDir: string;
  /** True under `orch watch --ui`: the loop's events arrive through `event`. */
  live: boolean;
  clock: Clock;
}

/** The running board server. */
export class BoardServer {
  private readonly http: Server;
  private readonly clients = new Set<ServerResponse>();
  private readonly metrics: Metrics;
  private readonly refresh: Timer;
  private readonly assets = new Map<string, Buffer>();
  private board: Board | undefined;
  private boardJson = "";
  private boardKey = "";
  private lastReadMs = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  private hosts: Set<string> | "any" = "any";
  private port = 0;

  constructor(private readonly o: BoardServerOptions) {
    this.metrics = new Metrics(o.live, () => o.clock.now());
    this.refresh = new Timer(o.clock, () => void this.reread());
    for (const file of Object.values(ASSETS)) {
      try {
        this.assets.set(file, readFileSync(path.join(o.assetsDir, file)));
      } catch {
        throw new OrchError("ui-missing", `the board's page is not built: no ${path.join(o.assetsDir, file)}`, { hint: "Run `npm run build` (it bundles the page into dist/ui/page/)." });
      }
    }
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  /** Reads the board, then listens; resolves to the URL to open (with the token when there is one). */
  async start(): Promise<string> {
    await this.reread();
    const { host, port, token } = this.o.listen;
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", (err: NodeJS.ErrnoException) => reject(new OrchError("ui-listen", `cannot listen on ${host}:${port} for the board: ${err.code ?? err.message}`, { exitCode: 2, hint: "Pick another port, e.g. --ui 127.0.0.1:0 for a free one." })));
      this.http.listen(port, host, () => resolve());
    });
    this.port = (this.http.address() as { port: number }).port;
    this.hosts = allowedHosts({ host, port: this.port, ...(token ? { token } : {}) });
    const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
    return `http://${shown}:${this.port}/${token ? `?token=${token}` : ""}`;
  }

  /** One loop event: counted, passed to every page at once, and the board read again shortly. */
  event(e: LoopEvent): void {
    this.metrics.event(e);
    this.send("loop", JSON.stringify({ at: new Date(this.o.clock.now()).toISOString(), ...e }));
    // What an agent said changes no file; everything else may have.
    if (e.type !== "said") this.changed();
  }

  /** Something on disk changed: read the board again (soon, once for a burst). */
  changed(): void {
    if (!this.refresh.pending) this.refresh.restart(Math.max(REFRESH_MS, 2 * this.lastReadMs));
  }

  /** Closes the streams and the server. */
  async close(): Promise<void> {
    this.refresh.cancel();
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Reads the board; a change goes to every page. One read at a time; a request meanwhile reads once more after. */
  private async reread(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        const started = this.o.clock.now();
        const board = await this.o.source.read().catch((err: unknown) => {
          // A file caught half-written or a mission that does not parse: the page keeps the last board.
          this.send("problem", JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
          return undefined;
        });
        this.lastReadMs = this.o.clock.now() - started;
        if (!board) continue;
        // Pages get a board only when something in it changed (its time of reading aside).
        const key = JSON.stringify({ ...board, generatedAt: "" });
        this.board = board;
        this.boardJson = JSON.stringify(board);
        if (key !== this.boardKey) this.send("board", this.boardJson);
        this.boardKey = key;
      } while (this.again);
    })().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private send(kind: string, data: string): void {
    for (const c of this.clients) c.write(`event: ${kind}\ndata: ${data}\n\n`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://board.invalid");
    const no = refusal({ ...this.o.listen, port: this.port }, this.hosts, url, req.headers);
    if (no) return text(res, no.status, `${no.message}\n`);
    if (req.method !== "GET" && req.method !== "HEAD") return text(res, 405, "the board only reads: steer with the orch commands or the files\n", { allow: "GET, HEAD" });
    const token = this.o.listen.token;
    // The token moves from the URL into a same-site cookie, so the page's requests carry it.
    const cookie: Record<string, string> = token && url.searchParams.get("token") === token ? { "set-cookie": `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    const asset = ASSETS[url.pathname];
    if (asset) return send(res, 200, TYPES[path.extname(asset)]!, this.assets.get(asset)!, cookie);
    if (url.pathname === "/api/board") return send(res, 200, "application/json", this.boardJson);
    if (url.pathname === "/metrics") return send(res, 200, "text/plain; version=0.0.4; charset=utf-8", this.board ? this.metrics.render(this.board) : "");
    if (url.pathname === "/events") return this.stream(res);
    // Browsers ask for it; the board has none (and fetches nothing from elsewhere).
    if (url.pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "");
    const task = /^\/api\/task\/([A-Za-z0-9_][A-Za-z0-9._-]*)$/.exec(url.pathname)?.[1];
    if (task) {
      try {
        return send(res, 200, "application/json", JSON.stringify(await this.o.source.details(task)));
      } catch (err) {
        if (err instanceof OrchError && err.code === "unknown-task") return text(res, 404, `${err.message}\n`);
        return text(res, 500, `${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    return text(res, 404, "not found\n");
  }

  /** The live stream: the board now, then every loop event and every changed board. */
  private stream(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
    res.write(`retry: 1000\n\n`);
    if (this.boardJson) res.write(`event: board\ndata: ${this.boardJson}\n\n`);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function text(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  send(res, status, "text/plain; charset=utf-8", body, extra);
}
