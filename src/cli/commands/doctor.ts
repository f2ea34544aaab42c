// `orch doctor`: checks the machine for what orch needs and says what to fix.
import { spawnSync } from "node:child_process";
import path from "node:path";
import type { CommandModule } from "yargs";
import { findNativeBinary, NativePool } from "../../context/index.js";
import { authHeaders, resolveBinary, probeServer, createRuntime, repoOpencodeConfig, listProviders, probeBaseURL, available, type RuntimeChoice, type SandboxMode } from "../../runtime/index.js";
import { loadConfig } from "../../spec/index.js";
import { failureOf, formatProblem } from "../../util/index.js";
import type { Config } from "../../spec/index.js";
import { chooseModels } from "../model-choice.js";
import { checkModels } from "../doctor-models.js";
import { ApprovalFiles } from "../../store/index.js";

interface DoctorArgs {
  dir: string;
  json: boolean;
  server?: string;
  runtime?: RuntimeChoice;
}

/** One check's outcome; `ok: false` with `required` makes doctor exit 1. */
interface Check {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  hint?: string;
}

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 15_000 });
  return r.status === 0 ? r.stdout.trim().split("\n").pop() : undefined;
}

/**
 * The models the config routes to, checked on the server `orch run` would use (--server, server.url,
 * or one started as run starts it, then stopped): resolved, credentials present, base URL answering.
 */
async function modelChecks(config: Config, root: string, serverUrl: string | undefined): Promise<Check[]> {
  let choice: ReturnType<typeof chooseModels>;
  try {
    choice = chooseModels(config, root, { serverUrl });
  } catch (err) {
    const f = failureOf(err);
    return [{ name: "model", ok: false, required: true, detail: f.message, ...(f.hint ? { hint: f.hint } : {}) }];
  }
  const url = serverUrl ?? config.server.url;
  const runtime = createRuntime(choice.config, root, { approvals: new ApprovalFiles(root), ...(serverUrl ? { serverUrl } : {}), ...(choice.startDemoModel ? { startDemoModel: choice.startDemoModel } : {}) });
  try {
    const list = await listProviders(runtime.server);
    const raw = url ? {} : ((repoOpencodeConfig(root).provider ?? {}) as Record<string, { options?: { apiKey?: unknown } }>);
    return await checkModels(choice.config, list, raw, (u) => probeBaseURL(u));
  } catch (err) {
    const f = failureOf(err);
    return [{ name: "server", ok: false, required: true, detail: `${url ? `OpenCode server ${url}` : "the OpenCode server orch starts"}: ${f.message.replace(/^internal error: /, "")}`, hint: f.hint ?? "Run `orch doctor` again; see docs/RUNTIME.md." }];
  } finally {
    await runtime.close().catch(() => {});
  }
}

/** Whether agents and verify commands will run confined (config `sandbox`), by which mechanism, or why not. */
function sandboxCheck(mode: SandboxMode, serverUrl: string | undefined): Check {
  if (mode === "off") return { name: "sandbox", ok: true, required: false, detail: "off (sandbox: \"off\"): agents and verify commands run unconfined" };
  const a = available();
  const required = mode === "required";
  if (!a.ok) return { name: "sandbox", ok: false, required, detail: `agents cannot be confined: ${a.why}`, hint: "Install bubblewrap (apt-get install bubblewrap; user namespaces must be on). Until then orch relies on checking what agents changed." };
  if (serverUrl) return { name: "sandbox", ok: false, required, detail: `${a.mechanism} available, but the server ${serverUrl} is not orch's to confine: only verify commands run confined`, hint: "Omit --server (and server.url) to let orch start a confined server." };
  return { name: "sandbox", ok: true, required, detail: a.why };
}

const VERSION_NAME = { opencode1: "OpenCode 1", opencode2: "OpenCode 2" } as const;

/** The OpenCode orch would start for config `runtime` (its binary and version), or the one at --server/server.url. */
async function opencodeCheck(choice: RuntimeChoice, url: string | undefined, password: string | undefined): Promise<Check> {
  if (url) {
    const probe = await probeServer(url.replace(/\/$/, ""), authHeaders(password), 5_000);
    if (!probe.ok) return { name: "opencode", ok: false, required: true, detail: probe.detail, hint: "Start it with `opencode serve`, or check --server and server.password." };
    const wrong = choice !== "auto" && choice !== probe.runtime;
    return { name: "opencode", ok: !wrong, required: true, detail: `${url}: ${VERSION_NAME[probe.runtime]}${probe.version ? ` (${probe.version})` : ""}, runtime ${choice}`, ...(wrong ? { hint: `config runtime is "${choice}": set it to "auto" or "${probe.runtime}".` } : {}) };
  }
  const found = resolveBinary(choice);
  if (found) return { name: "opencode", ok: true, required: true, detail: `${found.bin} (${found.version}): ${VERSION_NAME[found.runtime]}, runtime ${choice}` };
  const hint =
    choice === "opencode2"
      ? "Install OpenCode 2 (npm i -g @opencode/cli, or @opencode/cli-linux-x64 beside orch), or set runtime to auto."
      : "Run `npm ci` (the opencode-linux-x64 package ships the binary) or put opencode on PATH (npm i -g opencode-ai).";
  return { name: "opencode", ok: false, required: true, detail: `no ${choice === "auto" ? "opencode" : VERSION_NAME[choice]} binary found`, hint };
}

/** Runs every check; `serverUrl` is --server, `runtime` --runtime. */
async function runChecks(root: string, serverUrl?: string, runtime?: RuntimeChoice): Promise<Check[]> {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  checks.push({ name: "node", ok: major > 20 || (major === 20 && minor >= 19), required: true, detail: `v${process.versions.node}`, hint: "orch needs Node >= 20.19." });
  const loaded = await loadConfig(root).catch((err: unknown) => err as Error);
  const cfg = loaded instanceof Error || loaded.problems.some((p) => p.severity === "error") ? undefined : loaded.config;
  const ocCheck = await opencodeCheck(runtime ?? cfg?.runtime ?? "auto", serverUrl ?? cfg?.server.url, cfg?.server.password);
  checks.push(ocCheck);
  const bin = findNativeBinary();
  if (!bin.found) {
    checks.push({ name: "orch-native", ok: false, required: false, detail: `not built (${bin.path}): fallback in use (grep and glob only)`, hint: "For outline, references and symbol: `npm run build:native` in orch's clone (a package packed after it ships the binary), or point ORCH_NATIVE_BIN at a built orch-native." });
  } else {
    const pool = new NativePool(root, bin.path, { size: 1, timeoutMs: 5_000 });
    const ok = await pool.ping().then(() => true, () => false);
    await pool.close();
    const version = versionOf(bin.path) ?? "?";
    checks.push(ok
      ? { name: "orch-native", ok: true, required: false, detail: `${bin.path} (${version})` }
      : { name: "orch-native", ok: false, required: false, detail: `${bin.path} does not answer: fallback in use`, hint: "Rebuild it: `npm run build:native`." });
  }
  if (loaded instanceof Error) {
    checks.push({ name: "config", ok: false, required: true, detail: `cannot read ${root}: ${loaded.message}`, hint: "Pass --dir pointing at your repository." });
    return checks;
  }
  const { problems } = loaded;
  checks.push(problems.length === 0
    ? { name: "config", ok: true, required: true, detail: "valid (.orchestrator/config.json or defaults)" }
    : { name: "config", ok: false, required: true, detail: problems.map(formatProblem).join("\n    "), hint: "Fix .orchestrator/config.json." });
  if (problems.some((p) => p.severity === "error")) return checks;
  checks.push(sandboxCheck(loaded.config.sandbox, serverUrl ?? loaded.config.server.url));
  if (ocCheck.ok) checks.push(...(await modelChecks(runtime ? { ...loaded.config, runtime } : loaded.config, root, serverUrl)));
  return checks;
}

/** yargs command module for `orch doctor`. */
export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: "doctor",
  describe: "Check node, opencode, orch-native, the config, confinement (sandbox), and that each configured model resolves and has credentials",
  builder: (y) =>
    y
      .option("json", { type: "boolean", default: false, describe: "Print the checks as JSON" })
      .option("server", { type: "string", describe: "Check the models on this running `opencode serve` (default: config server.url, else one orch starts)" })
      .option("runtime", { type: "string", choices: ["auto", "opencode1", "opencode2"], describe: "Which OpenCode to check (default: config runtime)" }) as any,
  handler: async (args) => {
    const checks = await runChecks(path.resolve(args.dir), args.server, args.runtime);
    if (args.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
    else {
      for (const c of checks) {
        const mark = c.ok ? "ok  " : c.required ? "FAIL" : "warn";
        process.stdout.write(`${mark} ${c.name.padEnd(12)} ${c.detail}\n`);
        if (!c.ok && c.hint) process.stdout.write(`     ${"".padEnd(12)} hint: ${c.hint}\n`);
      }
    }
    (args as unknown as { exitCode: number }).exitCode = checks.some((c) => c.required && !c.ok) ? 1 : 0;
  },
};
