// OpenCode 2 (`@opencode/cli` 2.x) through its own generated Promise client (@opencode/client):
// routes under /api (HTTP basic auth), the working directory given once as the session's location,
// the model and agent set on the session, `prompt` queuing a turn and answering at once, and
// events under /api/event translated by events-v2.ts. Its event client is not used: it needs
// Promise.withResolvers (Node 22); orch's own stream reader (events.ts) serves both versions.
import { OpenCode } from "@opencode/client";
import { providerError } from "./errors.js";
import { V2_ACTION, v2Translator } from "./events-v2.js";
import { agentPermissionConfig } from "./permissions.js";
import type { MessageRecord, Protocol, SessionOps } from "./protocol.js";
import { rolePrompt, splitModel } from "./roles.js";

/** An OpenCode 2 message (GET /api/session/:id/message) as session-run reads messages. */
function messageRecord(m: Record<string, unknown>): MessageRecord | undefined {
  const id = String(m.id);
  if (m.type === "user") return { info: { id, role: "user" }, parts: [{ type: "text", text: String(m.text ?? "") }] };
  if (m.type !== "assistant") return undefined; // idle markers, agent/model switches, synthetic notes
  const content = (m.content ?? []) as Array<Record<string, unknown>>;
  const parts = content.map((c) =>
    c.type === "tool" ? { type: "tool", callID: c.id, tool: c.name, state: c.state } : { type: String(c.type), text: c.text },
  );
  const time = (m.time ?? {}) as { completed?: number };
  return { info: { id, role: "assistant", cost: m.cost ?? 0, tokens: m.tokens, error: m.error, time: { completed: time.completed } }, parts };
}

/** True for the client's "404 not found" errors (a session the server does not have). */
function notFound(err: unknown): boolean {
  const name = (err as { name?: unknown; _tag?: unknown } | null)?._tag ?? (err as { name?: unknown } | null)?.name;
  return typeof name === "string" && name.endsWith("NotFoundError");
}

/** OpenCode 2's protocol. */
export const opencode2: Protocol = {
  version: "opencode2",
  eventPath: "/api/event",
  translator: v2Translator,
  ops({ baseUrl, headers, owned, policy }): SessionOps {
    const client = OpenCode.make({ baseUrl, headers });
    return {
      async create(req, signal) {
        const rules = agentPermissionConfig(policy, req.role, req.approval);
        const agent = req.agent ?? (owned ? req.role : undefined);
        const model = req.model ? splitModel(req.model) : undefined;
        const info = await client.session.create(
          {
            title: req.title,
            location: { directory: req.directory },
            ...(agent ? { agent } : {}),
            ...(model ? { model: { id: model.modelID, providerID: model.providerID } } : {}),
            permissions: Object.entries(rules).map(([kind, effect]) => ({ action: V2_ACTION[kind] ?? kind, resource: "*", effect })),
          },
          { signal },
        );
        // An external server does not know orch's agents: the role prompt joins the session's instructions.
        if (!owned) await client.session.instructions.entry.put({ sessionID: info.id, key: "orch-role", value: rolePrompt(req.role) }, { signal });
        return info.id;
      },
      async prompt(sessionId, req) {
        try {
          await client.session.prompt({ sessionID: sessionId, text: req.prompt });
          return undefined;
        } catch (err) {
          const status = (err as { cause?: { status?: number } }).cause?.status;
          return providerError(status, `prompt failed: ${(err as Error).message}`);
        }
      },
      async busy(sessionId) {
        const active = await client.session.active();
        return active[sessionId] !== undefined;
      },
      async messages(sessionId) {
        const out: MessageRecord[] = [];
        let cursor: string | undefined;
        // Pages of 200, oldest first, until the server says there is no next page.
        for (;;) {
          const page = await client.message.list({ sessionID: sessionId, order: "asc", limit: 200, ...(cursor ? { cursor } : {}) });
          for (const m of page.data) {
            const r = messageRecord(m as unknown as Record<string, unknown>);
            if (r) out.push(r);
          }
          cursor = page.cursor.next ?? undefined;
          if (!cursor || page.data.length < 200) return out;
        }
      },
      async abort(sessionId) {
        await client.session.interrupt({ sessionID: sessionId });
      },
      async reply(sessionId, requestId, reply) {
        await client.permission.reply({ sessionID: sessionId, requestID: requestId, decision: reply });
      },
      async exists(sessionId) {
        try {
          await client.session.get({ sessionID: sessionId });
          return true;
        } catch (err) {
          if (notFound(err)) return false;
          throw err;
        }
      },
    };
  },
};
