// How orch launches an OpenCode server of its own: the process environment (hermetic, or the user's),
// what a confined server may write, and a server an earlier orch left behind. (Which binary: versions.ts.)
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ConfinePlan } from "./confinement.js";

/** Env for a non-hermetic owned server: the user's environment plus orch's config. */
export function userEnv(config: Record<string, unknown>, password?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCODE_CONFIG_CONTENT: JSON.stringify(config), OPENCODE_DISABLE_AUTOUPDATE: "1" };
  if (password) env.OPENCODE_SERVER_PASSWORD = password;
  return env;
}

/** Env for an owned server: fresh HOME/XDG under stateDir, no network at start, no project config. */
export function hermeticEnv(stateDir: string, config: Record<string, unknown>, password?: string): NodeJS.ProcessEnv {
  const home = path.join(stateDir, "home");
  const xdg = { XDG_CONFIG_HOME: "config", XDG_DATA_HOME: "data", XDG_CACHE_HOME: "cache", XDG_STATE_HOME: "state" };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: process.env.LANG ?? "C.UTF-8", HOME: home };
  for (const [k, v] of Object.entries(xdg)) env[k] = path.join(home, v);
  mkdirSync(home, { recursive: true });
  // OpenCode runs `npm install @opencode-ai/plugin` into its config dir at start (network);
  // a node_modules plus a lock naming the dependency makes it skip that.
  const cfgDir = path.join(env.XDG_CONFIG_HOME!, "opencode");
  mkdirSync(path.join(cfgDir, "node_modules"), { recursive: true });
  const lock = { name: "opencode", lockfileVersion: 3, requires: true, packages: { "": { dependencies: { "@opencode-ai/plugin": "*" } } } };
  writeFileSync(path.join(cfgDir, "package-lock.json"), JSON.stringify(lock));
  writeFileSync(path.join(cfgDir, "package.json"), JSON.stringify({ dependencies: { "@opencode-ai/plugin": "*" } }));
  Object.assign(env, {
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_PROJECT_CONFIG: "1",
    OPENCODE_DISABLE_CLAUDE_CODE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    // OpenCode 2 otherwise lists free hosted models (and may reach for them).
    OPENCODE_DISABLE_FREE_MODELS: "1",
  });
  if (password) env.OPENCODE_SERVER_PASSWORD = password;
  return env;
}

/**
 * What a confined server may write: the plan's paths, its state dir (the hermetic HOME/XDG dirs),
 * and, for a server in the user's environment, OpenCode's own XDG dirs (created first: a missing
 * one could not be created inside the sandbox).
 */
export function serverPlan(plan: ConfinePlan, stateDir: string, env: NodeJS.ProcessEnv): ConfinePlan {
  const home = env.HOME ?? process.env.HOME ?? stateDir;
  const xdg = [
    env.XDG_DATA_HOME ?? path.join(home, ".local", "share"),
    env.XDG_CACHE_HOME ?? path.join(home, ".cache"),
    env.XDG_CONFIG_HOME ?? path.join(home, ".config"),
    env.XDG_STATE_HOME ?? path.join(home, ".local", "state"),
  ].map((d) => path.join(d, "opencode"));
  for (const d of xdg) mkdirSync(d, { recursive: true });
  return { writable: [...plan.writable, stateDir, ...xdg], readOnly: plan.readOnly };
}

/**
 * Kills a server left behind by an orch that died without stopping it (SIGKILL, crash): its pid
 * is in <stateDir>/server.pid, and it is ours only if it still runs in that dir (Linux /proc check).
 */
export function killStaleServer(stateDir: string): void {
  const pidFile = path.join(stateDir, "server.pid");
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (pid > 0 && readlinkSync(`/proc/${pid}/cwd`) === path.resolve(stateDir)) process.kill(pid, "SIGKILL");
  } catch {
    // no pid file, no such process, or not ours: nothing to do
  }
  rmSync(pidFile, { force: true });
}
