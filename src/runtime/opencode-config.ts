// The OpenCode config of a server orch starts: orch's agents, the models it routes to, the
// demo model's provider when it runs, and whatever the repo adds in .orchestrator/opencode.json.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../spec/index.js";
import { OrchError } from "../util/index.js";
import { agentConfigs, splitModel } from "./roles.js";

/** Provider id of the scripted demo model. */
export const DEMO_PROVIDER = "orch-demo";

/** Every "provider/model" the config can route to. */
export function routedModels(config: Config): string[] {
  const all = [config.models.default, ...Object.values(config.models.byType), ...Object.values(config.models.byRole)];
  return [...new Set(all.filter((m): m is string => !!m))];
}

/** The demo provider entry pointing at a running scripted model. */
function demoProvider(baseURL: string, models: string[]): Record<string, unknown> {
  const ids = models.map(splitModel).filter((m) => m.providerID === DEMO_PROVIDER).map((m) => m.modelID);
  return {
    npm: "@ai-sdk/openai-compatible",
    name: "orch demo model (scripted, offline)",
    options: { baseURL, apiKey: "demo" },
    // A nominal price so that cost accounting is exercised end to end.
    models: Object.fromEntries([...new Set(["scripted", ...ids])].map((id) => [id, { name: id, tool_call: true, limit: { context: 128_000, output: 8_000 }, cost: { input: 1, output: 2 } }])),
  };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; `over` wins. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** Reads .orchestrator/opencode.json (optional): extra OpenCode config, e.g. a real provider. */
export function repoOpencodeConfig(root: string): Record<string, unknown> {
  const file = path.join(root, ".orchestrator", "opencode.json");
  if (!existsSync(file)) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!isObj(v)) throw new Error("not a JSON object");
    return v;
  } catch (err) {
    throw new OrchError("bad-opencode-config", `${path.relative(root, file)}: ${(err as Error).message}`, {
      hint: "It must be a JSON object in OpenCode's config format (https://opencode.ai/docs/config).",
    });
  }
}

/** The full config for OPENCODE_CONFIG_CONTENT. */
export function buildServerConfig(config: Config, opts: { demoModelURL?: string; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    $schema: "https://opencode.ai/config.json",
    // Undo snapshots cost 3-4x per turn; orch keeps its own history and git handles undo.
    snapshot: false,
    autoupdate: false,
    share: "disabled",
    // Without models.default the server's own `model` (e.g. from .orchestrator/opencode.json) stands.
    ...(config.models.default ? { model: config.models.default } : {}),
    agent: agentConfigs(config.permissions),
    permission: config.permissions,
  };
  if (opts.demoModelURL) base.provider = { [DEMO_PROVIDER]: demoProvider(opts.demoModelURL, routedModels(config)) };
  return deepMerge(base, opts.extra ?? {});
}
