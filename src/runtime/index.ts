// The runtime's front door: `createRuntime` builds the OpenCode runtime the CLI's run/watch use.
import path from "node:path";
import type { Config } from "../spec/config.js";
import { OpenCodeRuntime, type OpenCodeRuntimeOptions } from "./opencode.js";
import { buildServerConfig, repoOpencodeConfig } from "./opencode-config.js";
import { OpenCodeServer } from "./server.js";

export type { AgentRuntime, SessionRequest, SessionResult, SessionEvent, SessionHandle, SessionError } from "./types.js";
export { OpenCodeRuntime } from "./opencode.js";
export { OpenCodeServer } from "./server.js";
export { runReview, type ReviewInput, type ReviewOutcome, type Verdict } from "./review.js";
export { renderPrompt, routeModel, workerInput, acceptanceCriteria, rolePrompt } from "./roles.js";
export { decidePermission } from "./permissions.js";
export { readDecision, decide, writeApproval, approvalPath } from "./approvals.js";

export interface CreateRuntimeOptions {
  /** --server URL: use a running `opencode serve` instead of starting one. */
  serverUrl?: string;
  password?: string;
  /** Base URL of the scripted demo model (…/v1); adds the `orch-demo` provider to an owned server. */
  demoModelURL?: string;
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
  const server = new OpenCodeServer({
    url,
    password: opts.password ?? config.server.password,
    stateDir: opts.stateDir ?? path.join(root, ".orchestrator", "runtime"),
    config: url ? undefined : buildServerConfig(config, { demoModelURL: opts.demoModelURL, extra: repoOpencodeConfig(root) }),
    hermetic: opts.hermetic ?? opts.demoModelURL !== undefined,
    log: opts.log,
  });
  return new OpenCodeRuntime({ server, policy: config.permissions, root, log: opts.log, ...opts.runtime });
}
