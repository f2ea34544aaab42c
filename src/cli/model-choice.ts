// Which model `orch run` / `orch watch` use, decided before anything is written: the config's, the
// --server's own default, or the scripted demo model by explicit choice (--demo or an `orch-demo/…`
// model in the config). No model at all is a usage error (exit 2), never a silent fallback.
import path from "node:path";
import type { Config } from "../spec/index.js";
import { DEMO_PROVIDER, repoOpencodeConfig, usesDemoProvider, type LocalModel } from "../runtime/index.js";
import { startScriptedModel, demoScript, EXAMPLE_SOLUTIONS } from "../demo/index.js";
import { OrchError } from "../util/index.js";

/** The model the built-in demo serves. */
const DEMO_MODEL = `${DEMO_PROVIDER}/scripted`;

/** The config to run with and, when it routes to the demo provider, how to start the demo model. */
export interface ModelChoice {
  config: Config;
  startDemoModel?: () => Promise<LocalModel>;
}

/** How to give orch a model; printed with every "no model" error. */
const HOW_TO_CONFIGURE =
  'Set models.default in .orchestrator/config.json to a "provider/model" OpenCode knows (e.g. "anthropic/claude-sonnet-4-5", its key in ANTHROPIC_API_KEY or `opencode auth login`; or a custom provider in .orchestrator/opencode.json), or pass --server URL of an `opencode serve` that has a default model. See README "Pointing orch at a real model"; `orch doctor` checks it. --demo runs the scripted demo model instead (writes known example solutions only).';

/** Decides the models; OrchError "no-model" (exit 2) when none is configured. */
export function chooseModels(config: Config, root: string, opts: { demo?: boolean; serverUrl?: string }): ModelChoice {
  const url = opts.serverUrl ?? config.server.url;
  if (opts.demo && url)
    throw new OrchError("usage", "--demo cannot be used with a server URL: the demo model is served by the server orch starts", { exitCode: 2, hint: "Drop --server (and server.url in .orchestrator/config.json) to run with --demo." });
  const chosen: Config = opts.demo ? { ...config, models: { default: DEMO_MODEL, byType: {}, byRole: {} } } : config;
  // A server someone runs answers with its own default model; an owned one needs a model from us or from .orchestrator/opencode.json.
  if (!url && !chosen.models.default && typeof repoOpencodeConfig(root).model !== "string")
    throw new OrchError("no-model", "no model is configured, so orch has nothing to run the tasks with (nothing was changed)", { exitCode: 2, hint: HOW_TO_CONFIGURE });
  if (!usesDemoProvider(chosen, url)) return { config: chosen };
  const solutions = [path.join(root, ".orchestrator", "demo-solutions"), ...EXAMPLE_SOLUTIONS];
  return { config: chosen, startDemoModel: () => startScriptedModel(demoScript(solutions)) };
}
