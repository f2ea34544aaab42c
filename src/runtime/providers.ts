// What an OpenCode server knows about models: its providers (OpenCode 1: GET /provider), which of
// them have credentials ("connected"), and its own default model (GET /config); OpenCode 2 answers
// GET /api/model and /api/model/default instead. `orch doctor` reads these.
import { z } from "zod";
import type { OpenCodeServer } from "./server.js";

const ProviderSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  source: z.string().optional(),
  env: z.array(z.string()).default([]),
  options: z.record(z.string(), z.unknown()).default({}),
  models: z.record(z.string(), z.unknown()).default({}),
});

/** One provider as the server has resolved it (options after `{env:…}` substitution). */
export type ProviderInfo = z.infer<typeof ProviderSchema>;

const ProviderListSchema = z.object({ all: z.array(ProviderSchema), connected: z.array(z.string()).default([]) });

/** The server's providers and its default model (its config's `model`, when set). */
export interface ProviderList {
  all: ProviderInfo[];
  /** Providers with credentials (or a config entry): only these can run a model. */
  connected: string[];
  defaultModel?: string;
}

async function getJson(server: OpenCodeServer, base: string, route: string): Promise<unknown> {
  const res = await fetch(`${base}${route}`, { headers: server.headers, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET ${route} answered ${res.status}`);
  return res.json();
}

const V2ModelsSchema = z.object({
  data: z.array(z.object({ id: z.string(), providerID: z.string(), settings: z.record(z.string(), z.unknown()).default({}) }).loose()),
});
const V2DefaultSchema = z.object({ data: z.object({ id: z.string(), providerID: z.string() }).loose().nullable().optional() });

/**
 * OpenCode 2's models (GET /api/model: only models it can run, each with its provider's resolved
 * settings) and default model (GET /api/model/default), as OpenCode 1's provider list.
 */
async function listV2(server: OpenCodeServer, base: string): Promise<ProviderList> {
  const models = V2ModelsSchema.parse(await getJson(server, base, "/api/model")).data;
  const byProvider = new Map<string, ProviderInfo>();
  for (const m of models) {
    const p = byProvider.get(m.providerID) ?? { id: m.providerID, env: [], options: m.settings, models: {} };
    p.models[m.id] = m;
    byProvider.set(m.providerID, p);
  }
  const def = V2DefaultSchema.safeParse(await getJson(server, base, "/api/model/default").catch(() => ({})));
  const d = def.success ? def.data.data : undefined;
  return { all: [...byProvider.values()], connected: [...byProvider.keys()], ...(d ? { defaultModel: `${d.providerID}/${d.id}` } : {}) };
}

/** Asks a running server (started if orch owns it) for its providers. */
export async function listProviders(server: OpenCodeServer): Promise<ProviderList> {
  const base = await server.ensureUp();
  if ((await server.version()) === "opencode2") return listV2(server, base);
  const list = ProviderListSchema.parse(await getJson(server, base, "/provider"));
  const config = z.object({ model: z.string().optional() }).passthrough().parse(await getJson(server, base, "/config"));
  return { all: list.all, connected: list.connected, ...(config.model ? { defaultModel: config.model } : {}) };
}

/** Whether something answers at a provider's base URL (any HTTP status will do); the error otherwise. */
export async function probeBaseURL(baseURL: string, timeoutMs = 3_000): Promise<string | undefined> {
  try {
    await fetch(baseURL, { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
    return undefined;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (err as Error).message;
  }
}
