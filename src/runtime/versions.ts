// Which OpenCode orch talks to: the binaries of each major version, the version of a binary (its
// --version) and of a running server (what it answers), so that config `runtime: "auto"` can pick.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { RuntimeVersion } from "./protocol.js";

/** config `runtime`: a version, or `auto` (by the binary orch starts, or by what the server answers). */
export type RuntimeChoice = RuntimeVersion | "auto";

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false; // absent or not executable: the next candidate is tried
  }
}

/** The binary inside an installed npm platform package, when there is one. */
function packageBin(pkg: string): string | undefined {
  try {
    const bin = path.join(path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), "bin", "opencode");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined; // not installed for this platform
  }
}

function onPath(): string | undefined {
  return (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "opencode")).find(isExecutable);
}

/** The first line of `<bin> --version` that names a version ("1.18.33", "opencode v2.1.2" → "2.1.2"); undefined when it does not run. */
function binaryVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 15_000 });
  if (r.status !== 0) return undefined;
  return /(\d+\.\d+\.\d+\S*)/.exec(r.stdout)?.[1];
}

/** The major version a version string belongs to (2.x is OpenCode 2; anything older speaks the first protocol). */
function versionOf(version: string): RuntimeVersion {
  return Number(version.split(".")[0]) >= 2 ? "opencode2" : "opencode1";
}

const versions = new Map<string, string | undefined>();
function cachedVersion(bin: string): string | undefined {
  if (!versions.has(bin)) versions.set(bin, binaryVersion(bin));
  return versions.get(bin);
}

/**
 * The opencode binary orch starts for a runtime choice. `opencode1`: the `opencode-<os>-<arch>`
 * package orch depends on, else an `opencode` on PATH that is not 2.x; `opencode2`: the
 * `@opencode/cli-<os>-<arch>` package when installed, else an `opencode` on PATH whose --version is
 * 2.x; `auto`: the first of the package orch depends on and `opencode` on PATH. Undefined: none.
 */
export function findOpencodeBin(choice: RuntimeChoice = "auto"): string | undefined {
  const platform = `${process.platform}-${process.arch}`;
  if (choice === "opencode2") {
    const pkg = packageBin(`@opencode/cli-${platform}`);
    if (pkg) return pkg;
    const bin = onPath();
    const v = bin ? cachedVersion(bin) : undefined;
    return v && versionOf(v) === "opencode2" ? bin : undefined;
  }
  const pkg = packageBin(`opencode-${platform}`);
  if (pkg) return pkg;
  const bin = onPath();
  if (choice === "auto" || !bin) return bin;
  const v = cachedVersion(bin);
  return v && versionOf(v) === "opencode1" ? bin : undefined;
}

/** The binary and its version, for `orch doctor` and an owned server; undefined when none runs. */
export function resolveBinary(choice: RuntimeChoice): { bin: string; version: string; runtime: RuntimeVersion } | undefined {
  const bin = findOpencodeBin(choice);
  const version = bin ? cachedVersion(bin) : undefined;
  return bin && version ? { bin, version, runtime: versionOf(version) } : undefined;
}

/** What a running server answered: its version (when it said), or why it is not a server orch knows. */
export type ServerProbe = { ok: true; runtime: RuntimeVersion; version?: string; detail: string } | { ok: false; detail: string };

/**
 * Asks a running server which OpenCode it is. OpenCode 1 answers `GET /global/health` with JSON
 * `{ healthy, version }`; OpenCode 2 serves its web page there, and answers `GET /api/info` with
 * its version (401 without the password: it is still OpenCode 2).
 */
export async function probeServer(url: string, headers: Record<string, string>, timeoutMs = 2_000): Promise<ServerProbe> {
  const down: ServerProbe = { ok: false, detail: `OpenCode server ${url} does not answer /global/health` };
  try {
    const health = await fetch(`${url}/global/health`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!health.ok) {
      await health.body?.cancel();
      return down;
    }
    if ((health.headers.get("content-type") ?? "").includes("json")) {
      const body = (await health.json()) as { healthy?: unknown; version?: unknown };
      return body.healthy === true ? { ok: true, runtime: "opencode1", ...(typeof body.version === "string" ? { version: body.version } : {}), detail: "answers /global/health" } : down;
    }
    await health.body?.cancel(); // OpenCode 2's web page
    const info = await fetch(`${url}/api/info`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (info.status === 401) {
      await info.body?.cancel();
      return { ok: false, detail: `OpenCode 2 server ${url} refuses orch's credentials (401 on /api/info): set server.password to the password it printed` };
    }
    if (info.ok && (info.headers.get("content-type") ?? "").includes("json")) {
      const body = (await info.json()) as { version?: unknown };
      if (typeof body.version === "string") return { ok: true, runtime: "opencode2", version: body.version, detail: "answers /api/info" };
    } else await info.body?.cancel();
    return { ok: false, detail: `${url} answers, but neither as OpenCode 1 (/global/health) nor as OpenCode 2 (/api/info)` };
  } catch {
    return down; // refused, timed out or reset: all mean "not healthy", which callers report
  }
}
