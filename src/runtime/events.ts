// One shared subscription to the server's global event stream, demultiplexed by session id.
// The stream ends when the server disposes an instance or dies: we reconnect, and tell the
// sessions so they re-read their state (events sent while we were away are lost).
import { realClock, type Clock, type TimerHandle } from "../util/index.js";

/** An event as orch reads it: type, session (when it names one), raw properties. */
export interface ServerEvent {
  type: string;
  sessionId?: string;
  properties: Record<string, unknown>;
}

/**
 * The event in a raw stream message, or undefined when it is not one: a payload with a string
 * `type` and object `properties` (optional). Checked by hand: hundreds arrive per session.
 */
function serverEvent(raw: unknown): ServerEvent | undefined {
  const payload = (raw as { payload?: unknown } | null)?.payload;
  if (payload === null || typeof payload !== "object") return undefined;
  const { type, properties } = payload as { type?: unknown; properties?: unknown };
  if (typeof type !== "string") return undefined;
  if (properties !== undefined && (properties === null || typeof properties !== "object" || Array.isArray(properties))) return undefined;
  const props = (properties ?? {}) as Record<string, unknown>;
  return { type, sessionId: sessionOf(props), properties: props };
}

/** Event types no session watcher needs. */
const IGNORED = new Set(["sync", "plugin.added", "catalog.updated", "reference.updated", "integration.updated", "project.updated", "server.heartbeat", "server.connected", "file.watcher.updated", "lsp.updated"]);

/** Reads the session id an event concerns, wherever OpenCode put it. */
function sessionOf(props: Record<string, unknown>): string | undefined {
  if (typeof props.sessionID === "string") return props.sessionID;
  const info = props.info as { sessionID?: unknown } | undefined;
  if (info && typeof info.sessionID === "string") return info.sessionID;
  const part = props.part as { sessionID?: unknown } | undefined;
  if (part && typeof part.sessionID === "string") return part.sessionID;
  return undefined;
}

/** Opens the raw stream; injected so the hub does not depend on how the client is made. */
export type OpenStream = (signal: AbortSignal) => Promise<AsyncIterable<unknown>>;

export interface EventHubOptions {
  /** No event (heartbeats included) for this long means the stream is dead: reconnect. */
  heartbeatTimeoutMs?: number;
  reconnectDelayMs?: number;
  log?: (line: string) => void;
  /** Times the reconnect delay, the watchdog and start()'s wait; default: the real clock. */
  clock?: Clock;
}

/** The shared stream. `subscribe(sessionId, fn)` receives that session's events. */
export class EventHub {
  private readonly listeners = new Map<string, Set<(e: ServerEvent) => void>>();
  private readonly reconnectListeners = new Set<() => void>();
  private controller?: AbortController;
  private running = false;
  /** Once stopped, a hub stays stopped: a late start() must not bring back a loop nobody stops. */
  private stopped = false;
  private lastEventAt = 0;
  private watchdog?: TimerHandle;
  private connectedOnce?: Promise<void>;
  private markConnected?: () => void;
  /** Ends the wait before a reconnect (stop() must not leave its timer keeping the process alive). */
  private endDelay?: () => void;

  private readonly clock: Clock;

  constructor(
    private readonly open: OpenStream,
    private readonly opts: EventHubOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /**
   * Starts the loop (idempotent); resolves once the first connection is open, or after
   * `waitMs` regardless (sessions then catch up by re-reading their state).
   */
  start(waitMs = 10_000): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.running) {
      this.running = true;
      this.connectedOnce = new Promise<void>((r) => (this.markConnected = r));
      void this.loop();
      this.watch(this.opts.heartbeatTimeoutMs ?? 25_000);
    }
    let timer: TimerHandle | undefined;
    const gaveUp = new Promise<void>((r) => (timer = this.clock.setTimeout(r, waitMs)));
    return Promise.race([this.connectedOnce!, gaveUp]).finally(() => this.clock.clearTimeout(timer));
  }

  /** Checks for silence every few seconds until stop(). */
  private watch(timeout: number): void {
    this.watchdog = this.clock.setTimeout(() => {
      if (!this.running) return;
      // Heartbeats arrive every 10 s; silence past the timeout means a half-dead connection.
      if (this.controller && this.clock.now() - this.lastEventAt > timeout) {
        this.opts.log?.("event stream silent: reconnecting");
        this.controller.abort();
      }
      this.watch(timeout);
    }, Math.min(timeout, 5_000));
    // The watchdog alone must not keep the process alive (a real timer has unref; a fake clock's handle has not).
    (this.watchdog as { unref?: () => void } | undefined)?.unref?.();
  }

  /** Receives events of one session until the returned function is called. */
  subscribe(sessionId: string, fn: (e: ServerEvent) => void): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(fn);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** Called after every reconnect (not the first connect). */
  onReconnect(fn: () => void): () => void {
    this.reconnectListeners.add(fn);
    return () => this.reconnectListeners.delete(fn);
  }

  /** Forces a reconnect (e.g. after the server restarted on a new port). */
  reconnect(): void {
    this.controller?.abort();
  }

  private async loop(): Promise<void> {
    let first = true;
    while (this.running) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        const stream = await this.open(controller.signal);
        this.lastEventAt = this.clock.now();
        if (first) this.markConnected?.();
        else for (const fn of this.reconnectListeners) fn();
        first = false;
        for await (const raw of stream) {
          this.lastEventAt = this.clock.now();
          this.dispatch(raw);
          if (!this.running || controller.signal.aborted) break;
        }
      } catch (err) {
        if (this.running) this.opts.log?.(`event stream error: ${String(err)}`);
      }
      if (!controller.signal.aborted) controller.abort();
      if (this.running)
        await new Promise<void>((r) => {
          const t = this.clock.setTimeout(r, this.opts.reconnectDelayMs ?? 250);
          this.endDelay = () => (this.clock.clearTimeout(t), r());
        });
      this.endDelay = undefined;
    }
  }

  private dispatch(raw: unknown): void {
    // Most events (sync mirrors, text deltas, catalogue updates) concern no watched session:
    // drop them before validating, since there are dozens per model turn.
    const type = (raw as { payload?: { type?: unknown } } | null)?.payload?.type;
    if (typeof type !== "string" || IGNORED.has(type) || this.listeners.size === 0) return;
    const ev = serverEvent(raw);
    if (!ev?.sessionId) return;
    for (const fn of this.listeners.get(ev.sessionId) ?? []) fn(ev);
  }

  /** Stops the loop and closes the connection. */
  stop(): void {
    this.stopped = true;
    this.running = false;
    this.clock.clearTimeout(this.watchdog);
    this.controller?.abort();
    // Waiters of a first connection that will not come now go on (and their timer with them).
    this.markConnected?.();
    this.endDelay?.();
  }
}

/** The `data:` lines of an SSE block, joined. */
function dataOf(block: string): string {
  return block
    .split("\n")
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).trimStart())
    .join("\n");
}

/** Where the server writes the event's type: the top-level payload, after the directory and project. */
const PAYLOAD_TYPE = /^\{(?:"(?:directory|project|workspace)":"[^"\\]*",)*"payload":\{"type":"([^"\\]+)"/;

/**
 * The type of an event the hub ignores, read without parsing the JSON; undefined otherwise (and
 * whenever the text is not laid out as expected: it is then parsed as usual).
 */
function ignoredType(data: string): string | undefined {
  const type = PAYLOAD_TYPE.exec(data)?.[1];
  return type !== undefined && IGNORED.has(type) ? type : undefined;
}

/** Where a version's stream is and how its events read as OpenCode 1's (protocol.ts). */
export interface StreamFormat {
  eventPath: string;
  translator(): (raw: unknown) => unknown[];
}

/** What the hub sees for a stream message no watcher needs (dropped by type, but it resets the watchdog). */
const ALIVE = { payload: { type: "server.heartbeat" } };

/** OpenCode 1's stream: /global/event, events as they come. */
const V1_STREAM: StreamFormat = { eventPath: "/global/event", translator: () => (raw) => [raw] };

/** Opens the event stream (GET <url><eventPath>) as an async iterable of parsed SSE `data:` payloads in OpenCode 1's shape. */
export function sseStream(url: () => Promise<string>, headers: Record<string, string>, format: StreamFormat = V1_STREAM): OpenStream {
  return async (signal) => {
    const base = await url();
    const res = await fetch(`${base}${format.eventPath}`, { headers: { accept: "text/event-stream", ...headers }, signal });
    if (!res.ok || !res.body) throw new Error(`GET ${format.eventPath}: HTTP ${res.status}`);
    const body = res.body;
    const translate = format === V1_STREAM ? undefined : format.translator();
    return (async function* () {
      const decoder = new TextDecoder();
      let buf = "";
      for await (const bytes of body) {
        buf += decoder.decode(bytes as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block.startsWith("data: ") && !block.includes("\n") ? block.slice(6) : dataOf(block);
          // OpenCode 2's heartbeats are SSE comments (no data): they still prove the connection alive.
          if (!data) {
            if (translate) yield ALIVE;
            continue;
          }
          // An event no watcher needs is passed on unparsed (the hub drops it by type): about half of
          // the stream's bytes are sync mirrors of what the other events say.
          const skip = translate ? undefined : ignoredType(data);
          if (skip) {
            yield { payload: { type: skip } };
            continue;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(data) as unknown;
          } catch {
            continue; // a malformed event is skipped, not fatal: the next one resyncs
          }
          if (!translate) yield parsed;
          else {
            const events = translate(parsed);
            if (events.length === 0) yield ALIVE;
            else yield* events;
          }
        }
      }
    })();
  };
}
