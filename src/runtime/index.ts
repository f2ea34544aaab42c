// The runtime's front door: `createRuntime` builds the OpenCode runtime the CLI's run/watch use.
import path from "node:path";
import type { Config } from "../spec/config.js";
import { OpenCodeRuntime, type OpenCodeRuntimeOptions } from "./opencode.js";
import { buildServerConfig, DEMO_PROVIDER, repoOpencodeConfig, routedModels } from "./opencode-config.js";
import { startScriptedModel, type ScriptedModel } from "../demo/scripted-model.js";
import { demoScript, EXAMPLE_SOLUTIONS } from "../demo/demo-script.js";
import { OpenCodeServer } from "./server.js";

export interface CreateRuntimeOptions {
  /** --server URL: use a running `opencode serve` instead of starting one. */
  serverUrl?: string;
  password?: string;
  /**
   * Base URL of a running scripted model (…/v1) for the `orch-demo` provider. When absent and
   * the config routes to `orch-demo/…` on an owned server, orch starts the demo model itself.
   */
  demoModelURL?: string;
  /** Solution folders the built-in demo model writes from; default: <root>/.orchestrator/demo-solutions, then the example's. */
  demoSolutions?: string[];
  /** Isolate an owned server from the user's HOME (demo/tests); default: true when the demo model is used. */
  hermetic?: boolean;
  /** Where an owned server keeps its HOME/XDG dirs; default <root>/.orchestrator/runtime. */
  stateDir?: string;
  log?: (line: string) => void;
  runtime?: Partial<Omit<OpenCodeRuntimeOptions, "server" | "policy" | "root">>;
}

/**
 * Builds the OpenCode runtime for a repo: connects to config.server.url / opts.serverUrl, or
 * starts (lazily, on the first session) and owns a server configured with orch's agents.
 */
export function createRuntime(config: Config, root: string, opts: CreateRuntimeOptions = {}): OpenCodeRuntime {
  const url = opts.serverUrl ?? config.server.url;
  const usesDemo = !url && routedModels(config).some((m) => m.startsWith(`${DEMO_PROVIDER}/`));
  const extra = url ? {} : repoOpencodeConfig(root);
  let demo: ScriptedModel | undefined;
  const server = new OpenCodeServer({
    url,
    password: opts.password ?? config.server.password,
    stateDir: opts.stateDir ?? path.join(root, ".orchestrator", "runtime"),
    // Built at first start: the demo model (when used) must be listening before OpenCode is.
    config: async () => {
      let demoModelURL = opts.demoModelURL;
      if (usesDemo && !demoModelURL) {
        demo = await startScriptedModel(demoScript(opts.demoSolutions ?? [path.join(root, ".orchestrator", "demo-solutions"), EXAMPLE_SOLUTIONS]));
        demoModelURL = demo.baseURL;
      }
      return buildServerConfig(config, { demoModelURL: usesDemo ? demoModelURL : undefined, extra });
    },
    hermetic: opts.hermetic ?? usesDemo,
    log: opts.log,
  });
  return new OpenCodeRuntime({ server, policy: config.permissions, root, log: opts.log, ...opts.runtime, cleanup: async () => demo?.close() });
}
