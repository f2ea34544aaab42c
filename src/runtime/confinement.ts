// Confinement: the OpenCode server orch starts and every verify command run under bubblewrap, so
// agent-written code can write only the workspaces, the server's own home and a private /tmp. OpenCode's
// own bash permission cannot do this (it does not see `echo x > /tmp/f`); the kernel can.
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import path from "node:path";
import { OrchError, packageRoot } from "../util/index.js";

/**
 * What a confined process may write. Everything else is read-only, /tmp and /var/tmp are private
 * (empty, discarded on exit). A `readOnly` path inside a `writable` one is protected again, and a
 * writable path inside a read-only one is writable: the deeper path wins (e.g. the repo writable,
 * its TODO.md and .orchestrator/ read-only, the server's home under .orchestrator/runtime writable).
 */
export interface ConfinePlan {
  writable: string[];
  readOnly: string[];
}

/** Whether confinement can be applied here, and how; `why` says what was found or what is missing. */
export interface ConfineAvailability {
  ok: boolean;
  mechanism: "bubblewrap";
  why: string;
}

/** The config's `sandbox` setting. */
export type SandboxMode = "auto" | "required" | "off";

let cached: ConfineAvailability | undefined;

/**
 * Probes bubblewrap once per process: `bwrap` on PATH and able to make a namespace (user namespaces
 * may be off, e.g. in some containers or under an AppArmor restriction).
 */
export function available(): ConfineAvailability {
  if (cached) return cached;
  const r = spawnSync("bwrap", ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--die-with-parent", "/bin/true"], { encoding: "utf8", timeout: 10_000 });
  if (r.error) cached = { ok: false, mechanism: "bubblewrap", why: (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "bwrap (bubblewrap) is not installed" : `bwrap does not run: ${r.error.message}` };
  else if (r.status !== 0) cached = { ok: false, mechanism: "bubblewrap", why: `bwrap cannot make a sandbox here: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`}` };
  else cached = { ok: true, mechanism: "bubblewrap", why: "bubblewrap (bwrap): writes only to the workspaces, the server's home and a private /tmp" };
  return cached;
}

/**
 * `argv` run under bubblewrap with `plan`: the root file system read-only, fresh /dev, /proc and
 * /tmp (TMPDIR points there), the plan's mounts applied shallowest first so a deeper path overrides its parent. Its own
 * pid namespace and --die-with-parent: killing the returned process kills everything inside.
 * --new-session: a confined process cannot push keystrokes into orch's terminal (TIOCSTI).
 */
export function wrap(argv: readonly string[], plan: ConfinePlan, cwd?: string): string[] {
  // One mount per path (read-only wins when a path is in both lists); "-try": a path that does not
  // exist yet (a repo without tasks/) is skipped rather than failing the start.
  const flags = new Map<string, string>();
  // The private /tmp hides whatever lives under the real one: orch's own package (a clone or an
  // install under /tmp holds the opencode binary) and the program run are shown again, read-only.
  for (const p of [packageRoot(), ...(argv[0] && path.isAbsolute(argv[0]) ? [realPath(argv[0])] : [])]) if (underTmp(p)) flags.set(p, "--ro-bind-try");
  for (const p of plan.writable) flags.set(path.resolve(p), "--bind-try");
  for (const p of plan.readOnly) flags.set(path.resolve(p), "--ro-bind-try");
  const mounts = [...flags].map(([p, flag]) => ({ p, flag })).sort((a, b) => depth(a.p) - depth(b.p));
  return [
    "bwrap",
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    "--tmpfs", "/var/tmp",
    "--setenv", "TMPDIR", "/tmp",
    ...mounts.flatMap((m) => [m.flag, m.p, m.p]),
    "--unshare-pid",
    "--die-with-parent",
    "--new-session",
    ...(cwd ? ["--chdir", path.resolve(cwd)] : []),
    "--",
    ...argv,
  ];
}

function underTmp(p: string): boolean {
  return ["/tmp", "/var/tmp"].some((t) => p === t || p.startsWith(`${t}/`));
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p; // not there: bwrap says so when it runs it
  }
}

function depth(p: string): number {
  return p.split(path.sep).filter(Boolean).length;
}

/**
 * The plan for agents that run in the person's checkout (no workspaces): the repo writable, but never its
 * task list, task files, `.orchestrator/` (orch writes it from outside the sandbox) or `.git`, except
 * the attempts' workspaces under `.orchestrator/worktrees/` (the deeper path wins). That folder must
 * exist when the server starts (a bind of a missing path is skipped): the caller makes it.
 */
export function checkoutPlan(root: string, paths: { todo: string; tasksDir: string }): ConfinePlan {
  return { writable: [root, path.resolve(root, ".orchestrator", "worktrees")], readOnly: [paths.todo, paths.tasksDir, ".orchestrator", ".git"].map((p) => path.resolve(root, p)) };
}

/**
 * The plan for agents when attempts run in workspaces: the person's checkout (its files, its .git)
 * read-only like the rest of the system, only `.orchestrator/worktrees/` writable (one server serves
 * every attempt). That folder must exist when the server starts: the caller makes it.
 */
export function workspacesPlan(root: string): ConfinePlan {
  // The root bound read-only explicitly: a checkout under /tmp (a confined /tmp is private) stays readable.
  return { writable: [path.resolve(root, ".orchestrator", "worktrees")], readOnly: [path.resolve(root)] };
}

/** The plan for one attempt's verify commands in its workspace: that workspace only, not the checkout nor another task's. */
export function workspacePlan(dir: string): ConfinePlan {
  return { writable: [path.resolve(dir)], readOnly: [] };
}

/**
 * The plan a run/watch/doctor uses for `mode`, or undefined (unconfined) with a notice saying why,
 * given once at start. `required` without confinement is an error: orch refuses to start.
 * `external`: the server is not orch's (--server URL), so it cannot be confined.
 */
export function decideConfinement(mode: SandboxMode, plan: ConfinePlan, opts: { external: boolean; check?: () => ConfineAvailability }): { plan?: ConfinePlan; notice?: string } {
  if (mode === "off") return {};
  const a = (opts.check ?? available)();
  if (!a.ok) {
    if (mode === "required") throw new OrchError("sandbox-unavailable", `sandbox is "required" but agents cannot be confined: ${a.why}`, { exitCode: 2, hint: "Install bubblewrap (apt-get install bubblewrap) and check that user namespaces are on, or set sandbox: \"auto\" in .orchestrator/config.json." });
    return { notice: `agents are not confined (${a.why}): they can write outside their workspace; orch still checks what they changed` };
  }
  if (opts.external) {
    if (mode === "required") throw new OrchError("sandbox-unavailable", `sandbox is "required" but the OpenCode server at --server/server.url is not orch's to confine`, { exitCode: 2, hint: "Omit --server (and server.url) so that orch starts a confined server, or set sandbox: \"auto\"." });
    return { plan, notice: "the OpenCode server is external (--server/server.url): orch cannot confine its agents; verify commands still run confined" };
  }
  return { plan };
}
