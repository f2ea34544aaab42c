// `orch doctor`'s model checks: each model the config routes to must resolve on the OpenCode server
// (its provider known, the model listed), have credentials, and, for a provider with a base URL,
// answer there. The checks over the server's answers are pure; probing is passed in.
import type { Config } from "../spec/index.js";
import type { ProviderInfo, ProviderList } from "../runtime/index.js";
import { routedModels, splitModel } from "../runtime/index.js";

/** One doctor line (same shape as doctor.ts's Check). */
export interface ModelCheck {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  hint?: string;
}

/** Providers as written in .orchestrator/opencode.json (before `{env:…}` is filled in). */
type RawProviders = Record<string, { options?: { apiKey?: unknown } } | undefined>;

/** "{env:NAME}" → NAME. */
function envRef(v: unknown): string | undefined {
  return typeof v === "string" ? /^\{env:([^}]+)\}$/.exec(v)?.[1] : undefined;
}

/** What is missing for a provider's credentials, or undefined when it has them. */
function missingCredential(p: ProviderInfo, connected: boolean, raw: RawProviders): string | undefined {
  const key = p.options.apiKey;
  const ref = envRef(raw[p.id]?.options?.apiKey);
  if (key === "" || (ref !== undefined && !key)) return ref ? `its apiKey comes from $${ref}, which is not set` : "its apiKey is empty";
  if (connected) return undefined;
  const vars = p.env.length ? `set ${p.env.map((e) => `$${e}`).join(" or ")}` : "give it an apiKey";
  return `no credentials: ${vars} (or run \`opencode auth login\`)`;
}

/** Checks every routed model against the server's provider list. `probe` says why a base URL does not answer. */
export async function checkModels(config: Config, list: ProviderList, raw: RawProviders, probe: (baseURL: string) => Promise<string | undefined>): Promise<ModelCheck[]> {
  const models = routedModels(config);
  if (models.length === 0) {
    return [
      list.defaultModel
        ? { name: "model", ok: true, required: true, detail: `none in the config: the server's default ${list.defaultModel} is used` }
        : { name: "model", ok: false, required: true, detail: "none configured, and the server has no default model", hint: 'Set models.default in .orchestrator/config.json (README "Pointing orch at a real model").' },
      ...(list.defaultModel ? await checkModels({ ...config, models: { ...config.models, default: list.defaultModel } }, list, raw, probe) : []),
    ];
  }
  const checks: ModelCheck[] = [];
  const probed = new Map<string, Promise<string | undefined>>();
  for (const model of models) {
    const name = `model ${model}`;
    let id: { providerID: string; modelID: string };
    try {
      id = splitModel(model);
    } catch (err) {
      checks.push({ name, ok: false, required: true, detail: (err as Error).message, hint: 'Write models as "provider/model".' });
      continue;
    }
    const p = list.all.find((x) => x.id === id.providerID);
    if (!p) {
      checks.push({ name, ok: false, required: true, detail: `the server knows no provider "${id.providerID}"`, hint: "Check the provider id, or define it under provider in .orchestrator/opencode.json (docs/CONFIG.md)." });
      continue;
    }
    if (!(id.modelID in p.models)) {
      const some = Object.keys(p.models).slice(0, 8).join(", ");
      checks.push({ name, ok: false, required: true, detail: `provider ${p.id} has no model "${id.modelID}"${some ? ` (it has ${some}${Object.keys(p.models).length > 8 ? ", …" : ""})` : ""}`, hint: "Fix the model id in .orchestrator/config.json." });
      continue;
    }
    const missing = missingCredential(p, list.connected.includes(p.id), raw);
    if (missing) {
      checks.push({ name, ok: false, required: true, detail: `provider ${p.id}: ${missing}`, hint: "Set the key in the environment orch (or your `opencode serve`) runs in, then run `orch doctor` again." });
      continue;
    }
    const baseURL = typeof p.options.baseURL === "string" ? p.options.baseURL : undefined;
    if (baseURL) {
      if (!probed.has(baseURL)) probed.set(baseURL, probe(baseURL));
      const why = await probed.get(baseURL)!;
      if (why !== undefined) {
        checks.push({ name, ok: false, required: true, detail: `provider ${p.id} cannot be reached at ${baseURL} (${why})`, hint: "Start the model server or fix options.baseURL of the provider." });
        continue;
      }
    }
    checks.push({ name, ok: true, required: true, detail: `provider ${p.id}${baseURL ? ` at ${baseURL}` : ""}, credentials present` });
  }
  return checks;
}
