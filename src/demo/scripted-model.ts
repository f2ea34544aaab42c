// The demo model: an OpenAI-compatible HTTP server on 127.0.0.1 whose replies come from a
// script, not a neural network. `npm run demo` and the tests point OpenCode at it, so the
// whole pipeline (OpenCode's own tools writing real files) runs offline and reproducibly.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { estimateTokens } from "../context/index.js";

const ChatMessageSchema = z
  .object({
    role: z.string(),
    content: z.unknown().optional(),
    tool_calls: z.array(z.unknown()).optional(),
    tool_call_id: z.string().optional(),
  })
  .loose();
const ChatBodySchema = z
  .object({
    model: z.string().default(""),
    messages: z.array(ChatMessageSchema),
    tools: z.array(z.unknown()).optional(),
    stream: z.boolean().optional(),
  })
  .loose();
type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** What a script sees of one chat-completion request. */
export interface ModelRequest {
  model: string;
  /** The system prompt(s) joined; OpenCode puts the agent prompt and `Working directory:` here. */
  system: string;
  /** Text of the last user message. */
  lastUser: string;
  /** Content of the last tool result, when the last message is one. */
  lastTool?: string;
  /** The `Working directory:` line of the system prompt, when present. */
  directory?: string;
  /** Assistant turns already in the conversation (0 on the first model call of a prompt chain). */
  turn: number;
  /** Tool names offered; empty for OpenCode's tool-less helper calls (titles, summaries). */
  tools: string[];
  messages: ChatMessage[];
}

/** One tool call the model makes; `args` become the JSON arguments. */
export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
}

/** A scripted reply. */
export type Reply =
  | { kind: "text"; text: string; delayMs?: number; usage?: TokenCounts }
  | { kind: "tools"; calls: ToolCall[]; text?: string; delayMs?: number; usage?: TokenCounts }
  | { kind: "http-error"; status: number; body?: string; delayMs?: number }
  | { kind: "garbage"; body: string; delayMs?: number }
  /** Sends the start of a stream and then never finishes it (a hung provider). */
  | { kind: "hang" };

interface TokenCounts {
  prompt: number;
  completion: number;
}

/** A script decides the reply for each request. */
export type Script = (req: ModelRequest) => Reply | Promise<Reply>;

/** A running scripted model. */
export interface ScriptedModel {
  /** Base URL for an openai-compatible provider, ending in /v1. */
  baseURL: string;
  /** Every request received, in order (for assertions). */
  requests: ModelRequest[];
  /** Replaces the script (tests reuse one server across cases). */
  setScript(script: Script): void;
  close(): Promise<void>;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : "")).join("");
  return "";
}

/** Turns a raw body into what a script sees. */
function toModelRequest(body: z.infer<typeof ChatBodySchema>): ModelRequest {
  const msgs = body.messages;
  const system = msgs.filter((m) => m.role === "system").map((m) => textOf(m.content)).join("\n");
  const lastUserMsg = [...msgs].reverse().find((m) => m.role === "user");
  const last = msgs[msgs.length - 1];
  const dir = /Working directory: (.+)/.exec(system)?.[1]?.trim();
  const tools = (body.tools ?? []).map((t) => {
    const fn = (t as { function?: { name?: unknown } }).function;
    return typeof fn?.name === "string" ? fn.name : "";
  });
  return {
    model: body.model,
    system,
    lastUser: lastUserMsg ? textOf(lastUserMsg.content) : "",
    lastTool: last?.role === "tool" ? textOf(last.content) : undefined,
    directory: dir,
    turn: msgs.filter((m) => m.role === "assistant").length,
    tools,
    messages: msgs,
  };
}

let callSeq = 0;

/** OpenCode 2's names for OpenCode 1's tools, and its `path` for their `filePath`. */
const V2_TOOLS: Record<string, string> = { bash: "shell", task: "subagent" };

/**
 * A call as the server asking can run it: scripts are written with OpenCode 1's tools (`bash`,
 * `write { filePath }`); a request offering OpenCode 2's (`shell` or `execute`, no `bash`) gets them renamed.
 */
function inDialect(call: ToolCall, offered: string[]): ToolCall {
  // OpenCode 2 always offers `execute` (its code mode), OpenCode 1 never does.
  if (!(offered.includes("shell") || offered.includes("execute")) || offered.includes("bash")) return call;
  const { filePath, ...rest } = call.args;
  return { name: V2_TOOLS[call.name] ?? call.name, args: filePath === undefined ? call.args : { path: filePath, ...rest } };
}

function chunk(model: string, delta: object, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-scripted",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

function estimateUsage(req: ModelRequest, out: string): TokenCounts {
  // Deterministic counts (≈4 chars a token) so that tests can assert they were recorded.
  const input = req.messages.map((m) => textOf(m.content)).join("");
  return { prompt: estimateTokens(input), completion: Math.max(1, estimateTokens(out)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answer(req: ModelRequest, r: Reply, stream: boolean, res: http.ServerResponse): Promise<void> {
  if ("delayMs" in r && r.delayMs) await sleep(r.delayMs);
  if (r.kind === "http-error") {
    res.writeHead(r.status, { "content-type": "application/json" }).end(r.body ?? "");
    return;
  }
  if (r.kind === "garbage") {
    res.writeHead(200, { "content-type": stream ? "text/event-stream" : "application/json" }).end(r.body);
    return;
  }
  if (r.kind === "hang") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk(req.model, { role: "assistant", content: "" }));
    return; // never ends; the connection closes when the server or client goes away
  }
  const text = r.text ?? "";
  const calls = r.kind === "tools" ? r.calls.map((c) => inDialect(c, req.tools)).map((c) => ({ id: `call_${++callSeq}`, name: c.name, args: JSON.stringify(c.args) })) : [];
  const usage = r.usage ?? estimateUsage(req, text + calls.map((c) => c.args).join(""));
  const usageJson = { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion };
  const finish = calls.length ? "tool_calls" : "stop";
  if (!stream) {
    const message = {
      role: "assistant",
      content: text || null,
      ...(calls.length
        ? { tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.args } })) }
        : {}),
    };
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion", model: req.model, choices: [{ index: 0, message, finish_reason: finish }], usage: usageJson }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(chunk(req.model, { role: "assistant", content: "" }));
  if (text) res.write(chunk(req.model, { content: text }));
  calls.forEach((c, index) =>
    res.write(chunk(req.model, { tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: c.args } }] })),
  );
  res.write(chunk(req.model, {}, finish));
  res.write(`data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", model: req.model, choices: [], usage: usageJson })}\n\n`);
  res.end("data: [DONE]\n\n");
}

/** Starts the scripted model on 127.0.0.1 (port 0 = any free port). */
export async function startScriptedModel(script: Script, port = 0): Promise<ScriptedModel> {
  let current = script;
  const requests: ModelRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const parsed = ChatBodySchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"));
        if (!parsed.success) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: parsed.error.message } }));
          return;
        }
        const mreq = toModelRequest(parsed.data);
        requests.push(mreq);
        const r = await current(mreq);
        await answer(mreq, r, parsed.data.stream === true, res);
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `script failed: ${String(err)}` } }));
      });
    });
  });
  // Idle connections stay open until OpenCode closes them: with Node's 5 s keep-alive timeout, the
  // server could close one just as OpenCode's pool reused it ("The socket connection was closed
  // unexpectedly", a failed model request). close() destroys whatever is left.
  server.keepAliveTimeout = 0;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${bound}/v1`,
    requests,
    setScript: (s) => {
      current = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
