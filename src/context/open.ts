// Picks the code tools for a root: the orch-native pool when the binary is there and answers a
// ping, else the TypeScript fallback (with the reason, which `orch doctor` shows).
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { packageRoot } from "../util/index.js";
import { FallbackTools } from "./fallback.js";
import { NativePool } from "./native-pool.js";
import type { CodeTools } from "./types.js";

/** Options for openCodeTools. */
export interface OpenOptions {
  /** Processes in the pool (config.context.nativePool); default 1. */
  pool?: number;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  /** Binary to use instead of the one found by findNativeBinary. */
  binary?: string;
  /** Force the TypeScript fallback. */
  fallback?: boolean;
}

/** Where `npm run build:native` puts the binary, relative to this package's root. */
const NATIVE_REL_PATH = "native/target/release/orch-native";

/**
 * The orch-native binary: $ORCH_NATIVE_BIN when set, else the one built in this package
 * (under packageRoot()).
 */
export function findNativeBinary(): { path: string; found: boolean } {
  const env = process.env.ORCH_NATIVE_BIN;
  const p = env ? path.resolve(env) : path.join(packageRoot(), NATIVE_REL_PATH);
  try {
    accessSync(p, constants.X_OK);
    return { path: p, found: true };
  } catch {
    return { path: p, found: false }; // openCodeTools says why it falls back
  }
}

/** The tools picked, and why the fallback was used when it was. */
export async function openCodeTools(root: string, opts: OpenOptions = {}): Promise<CodeTools & { fallbackReason?: string }> {
  const abs = path.resolve(root);
  const fallback = (why: string) => Object.assign(new FallbackTools(abs), { fallbackReason: why });
  if (opts.fallback) return fallback("fallback requested");
  const bin = opts.binary ? { path: path.resolve(opts.binary), found: true } : findNativeBinary();
  if (!bin.found) return fallback(`orch-native not built (${bin.path}); run \`npm run build:native\``);
  const pool = new NativePool(abs, bin.path, { size: opts.pool ?? 1, timeoutMs: opts.timeoutMs ?? 30_000 });
  try {
    await pool.ping();
    return pool;
  } catch (err) {
    await pool.close();
    return fallback(`orch-native did not answer a ping: ${(err as Error).message}`);
  }
}
