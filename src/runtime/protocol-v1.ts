// OpenCode 1 (`opencode-ai` 1.x) through its SDK's v2 client: routes under /session, the working
// directory on every request, `promptAsync`, events under /global/event already in the shape
// session-run reads.
import { createOpencodeClient } from "@opencode-ai/sdk/v2";
import { providerError } from "./errors.js";
import { sessionRules, type PermissionPolicy } from "./permissions.js";
import type { MessageRecord, Protocol, SessionOps } from "./protocol.js";
import { rolePrompt, splitModel } from "./roles.js";
import type { SessionRequest } from "./types.js";

/**
 * What `session.create` gets for a request: its folder, title and the role's permission rules.
 * @internal Exported for bench/runtime.ts, which replays exactly what orch sends (knip: not a production user).
 */
export function sessionCreateBody(req: SessionRequest, policy: PermissionPolicy): { directory: string; title: string; permission: ReturnType<typeof sessionRules> } {
  return { directory: req.directory, title: req.title, permission: sessionRules(policy, req.role, req.approval) };
}

/**
 * The agent, model and system text a prompt is sent with (besides its text and folder).
 * @internal Exported for bench/runtime.ts, which replays exactly what orch sends (knip: not a production user).
 */
export function promptSettings(req: SessionRequest, ownedServer: boolean): { agent?: string; system?: string; model?: { providerID: string; modelID: string } } {
  // An owned server knows orch's agents; an external one gets the role prompt as system text.
  const agent = req.agent ?? (ownedServer ? req.role : undefined);
  return { ...(agent ? { agent } : {}), ...(req.model ? { model: splitModel(req.model) } : {}), ...(ownedServer ? {} : { system: rolePrompt(req.role) }) };
}

/** OpenCode 1's protocol. */
export const opencode1: Protocol = {
  version: "opencode1",
  eventPath: "/global/event",
  translator: () => (raw) => [raw],
  ops({ baseUrl, headers, owned, policy }): SessionOps {
    const client = createOpencodeClient({ baseUrl, headers });
    return {
      async create(req, signal) {
        const created = await client.session.create(sessionCreateBody(req, policy), { signal });
        if (!created.data) throw new Error(`session.create: ${JSON.stringify(created.error)}`);
        return created.data.id;
      },
      async prompt(sessionId, req) {
        const res = await client.session.promptAsync({ sessionID: sessionId, directory: req.directory, ...promptSettings(req, owned), parts: [{ type: "text", text: req.prompt }] });
        if (res.error !== undefined || (res.response && !res.response.ok)) return providerError(res.response?.status, `promptAsync failed: ${JSON.stringify(res.error)}`);
        return undefined;
      },
      async busy(sessionId, directory) {
        const st = await client.session.status({ directory });
        const s = (st.data as Record<string, { type: string }> | undefined)?.[sessionId];
        return s !== undefined && s.type !== "idle";
      },
      async messages(sessionId, directory) {
        const res = await client.session.messages({ sessionID: sessionId, directory });
        return res.data as MessageRecord[] | undefined;
      },
      async abort(sessionId, directory) {
        await client.session.abort({ sessionID: sessionId, directory });
      },
      async reply(sessionId, requestId, reply, directory) {
        await client.permission.reply({ requestID: requestId, reply, directory });
      },
      async exists(sessionId, directory) {
        const got = await client.session.get({ sessionID: sessionId, directory });
        return !!got.data;
      },
    };
  },
};
