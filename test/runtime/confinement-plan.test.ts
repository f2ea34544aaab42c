// The pure parts of src/runtime/confinement.ts: the bubblewrap argv a plan becomes, and what a
// `sandbox` mode decides when confinement is or is not available (the real bwrap: confinement.test.ts).
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/util/package-root.js";
import { checkoutPlan, decideConfinement, workspacePlan, workspacesPlan, wrap, type ConfineAvailability } from "../../src/runtime/confinement.js";

/** The mounts of a bwrap argv, in order, as [flag, path]. */
/** The plan's mounts in `argv` (orch's own package, shown again when it lives under /tmp, is left out). */
function mounts(argv: string[]): [string, string][] {
  const out: [string, string][] = [];
  argv.forEach((a, i) => {
    if ((a === "--bind-try" || a === "--ro-bind-try") && argv[i + 1] !== packageRoot()) out.push([a, argv[i + 1]!]);
  });
  return out;
}

const yes: ConfineAvailability = { ok: true, mechanism: "bubblewrap", why: "bubblewrap (bwrap)" };
const no: ConfineAvailability = { ok: false, mechanism: "bubblewrap", why: "bwrap (bubblewrap) is not installed" };

describe("wrap", () => {
  it("mounts shallower paths first, so the deeper path wins (the server's home writable inside a read-only .orchestrator)", () => {
    const plan = checkoutPlan("/r", { todo: "TODO.md", tasksDir: "tasks" });
    const argv = wrap(["opencode", "serve"], { writable: [...plan.writable, "/r/.orchestrator/runtime"], readOnly: plan.readOnly }, "/r");
    expect(mounts(argv)).toEqual([
      ["--bind-try", "/r"],
      ["--ro-bind-try", "/r/TODO.md"],
      ["--ro-bind-try", "/r/tasks"],
      ["--ro-bind-try", "/r/.orchestrator"],
      ["--ro-bind-try", "/r/.git"],
      // The attempts' workspaces, writable inside the read-only .orchestrator.
      ["--bind-try", "/r/.orchestrator/worktrees"],
      ["--bind-try", "/r/.orchestrator/runtime"],
    ]);
    expect(argv.slice(0, 3)).toEqual(["bwrap", "--ro-bind", "/"]);
    expect(argv.indexOf("--tmpfs")).toBeLessThan(argv.indexOf("--bind-try"));
    expect(argv.slice(argv.indexOf("--chdir"))).toEqual(["--chdir", "/r", "--", "opencode", "serve"]);
  });

  it("with workspaces the server writes only the workspaces folder (the checkout read-only), a verify command only its own workspace", () => {
    expect(mounts(wrap(["opencode"], workspacesPlan("/r")))).toEqual([["--ro-bind-try", "/r"], ["--bind-try", "/r/.orchestrator/worktrees"]]);
    expect(mounts(wrap(["sh"], workspacePlan("/r/.orchestrator/worktrees/T1")))).toEqual([["--bind-try", "/r/.orchestrator/worktrees/T1"]]);
  });

  it("a path both writable and read-only is read-only", () => {
    expect(mounts(wrap(["x"], { writable: ["/a", "/a/b"], readOnly: ["/a/b"] }))).toEqual([["--bind-try", "/a"], ["--ro-bind-try", "/a/b"]]);
  });
});

describe("wrap, for an orch that lives under /tmp", () => {
  it("shows orch's own package and the program it runs again, read-only, under the private /tmp; elsewhere it mounts nothing more", () => {
    const argv = wrap(["/tmp/no-such-orch/bin/opencode", "serve"], { writable: ["/r"], readOnly: [] });
    const all = (a: string[]) => a.flatMap((x, i) => (x === "--ro-bind-try" ? [a[i + 1]] : []));
    expect(all(argv)).toContain("/tmp/no-such-orch/bin/opencode");
    expect(all(argv).includes(packageRoot())).toBe(packageRoot().startsWith("/tmp/"));
    expect(all(wrap(["/usr/bin/sh"], { writable: ["/r"], readOnly: [] })).filter((p) => p !== packageRoot())).toEqual([]);
  });
});

describe("decideConfinement", () => {
  const plan = checkoutPlan("/r", { todo: "TODO.md", tasksDir: "tasks" });
  it.each([
    ["off", yes, false, { plan: undefined, notice: undefined }],
    ["auto", yes, false, { plan, notice: undefined }],
    ["required", yes, false, { plan, notice: undefined }],
    ["auto", no, false, { plan: undefined, notice: expect.stringContaining("agents are not confined (bwrap (bubblewrap) is not installed)") }],
    ["auto", yes, true, { plan, notice: expect.stringContaining("orch cannot confine its agents") }],
  ] as const)("%s, available: %o, external server: %s", (mode, a, external, want) => {
    const got = decideConfinement(mode, plan, { external, check: () => a });
    expect({ plan: got.plan, notice: got.notice }).toEqual(want);
  });
  it('"required" without confinement refuses (exit 2), naming what is missing', () => {
    expect(() => decideConfinement("required", plan, { external: false, check: () => no })).toThrow(/sandbox is "required" but agents cannot be confined: bwrap \(bubblewrap\) is not installed/);
    expect(() => decideConfinement("required", plan, { external: true, check: () => yes })).toThrow(/not orch's to confine/);
  });
});
