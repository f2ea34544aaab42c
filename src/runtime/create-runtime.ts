// The runtime's front door: `createRuntime` builds the OpenCode runtime the CLI's run/watch use.
// It knows nothing of the demo: a command that wants the scripted demo model passes a starter in.
import path from "node:path";
import type { Config } from "../spec/index.js";
import { OpenCodeRuntime, type OpenCodeRuntimeOptions } from "./opencode.js";
import { buildServerConfig, DEMO_PROVIDER, repoOpencodeConfig, routedModels } from "./opencode-config.js";
import { OpenCodeServer } from "./server.js";
import type { ApprovalFiles } from "../store/index.js";
import type { ConfinePlan } from "./confinement.js";

/** A model server on this machine (OpenAI-compatible, …/v1) that orch started and stops. */
export interface LocalModel {
  baseURL: string;
  close(): Promise<void>;
}

export interface CreateRuntimeOptions {
  /** --server URL: use a running `opencode serve` instead of starting one. */
  serverUrl?: string;
  password?: string;
  /** Base URL of a running model (…/v1) served as the `orch-demo` provider of an owned server. */
  demoModelURL?: string;
  /**
   * Starts the model served as the `orch-demo` provider, when the config routes to `orch-demo/…` on an
   * owned server and no demoModelURL is given. The demo command passes the scripted demo model here.
   */
  startDemoModel?: () => Promise<LocalModel>;
  /** Isolate an owned server from the user's HOME (demo/tests); default: true when the demo model is used. */
  hermetic?: boolean;
  /** Where an owned server keeps its HOME/XDG dirs; default <root>/.orchestrator/runtime. */
  stateDir?: string;
  log?: (line: string) => void;
  /** The approval files of the repo (the store's, so they are written under its locks). */
  approvals: ApprovalFiles;
  /** Confine an owned server to these writes (confinement.ts); an external server is not orch's to confine. */
  confine?: ConfinePlan;
  runtime?: Partial<Omit<OpenCodeRuntimeOptions, "server" | "policy" | "root" | "approvals">>;
}

/** Whether a runtime for this config would serve the `orch-demo` provider (an owned server routing to it). */
export function usesDemoProvider(config: Config, serverUrl?: string): boolean {
  return !(serverUrl ?? config.server.url) && routedModels(config).some((m) => m.startsWith(`${DEMO_PROVIDER}/`));
}

/**
 * Builds the OpenCode runtime for a repo: connects to config.server.url / opts.serverUrl, or
 * starts (lazily, on the first session) and owns a server configured with orch's agents.
 */
export function createRuntime(config: Config, root: string, opts: CreateRuntimeOptions): OpenCodeRuntime {
  const url = opts.serverUrl ?? config.server.url;
  const usesDemo = usesDemoProvider(config, url);
  const extra = url ? {} : repoOpencodeConfig(root);
  let demo: LocalModel | undefined;
  const server = new OpenCodeServer({
    url,
    password: opts.password ?? config.server.password,
    // A folder of its own: the server (and so every agent) may write it, and nothing orch keeps out of the
    // agents' reach (saved workspace configs, merge journals, under runtime/) may be in it.
    stateDir: opts.stateDir ?? path.join(root, ".orchestrator", "runtime", "server"),
    // Built at first start: the demo model (when used) must be listening before OpenCode is.
    config: async () => {
      let demoModelURL = opts.demoModelURL;
      if (usesDemo && !demoModelURL && opts.startDemoModel) {
        demo = await opts.startDemoModel();
        demoModelURL = demo.baseURL;
      }
      return buildServerConfig(config, { demoModelURL: usesDemo ? demoModelURL : undefined, extra });
    },
    hermetic: opts.hermetic ?? usesDemo,
    runtime: config.runtime,
    log: opts.log,
    ...(opts.confine && !url ? { confine: opts.confine } : {}),
  });
  return new OpenCodeRuntime({ server, policy: config.permissions, doomLoopRepeats: config.doomLoop.repeats, root, approvals: opts.approvals, log: opts.log, ...opts.runtime, cleanup: async () => demo?.close() });
}
