// orch's plugin for OpenCode 2, installed by `orch init --opencode` as .opencode/plugins/orch-v2.js
// (OpenCode 2 loads a project's .opencode/plugin/ and .opencode/plugins/ by itself; it lists the
// OpenCode 1 file beside it as a failed plugin and goes on, as OpenCode 1 ignores this one's folder).
// It adds two commands, answered in the session without a model turn (a synthetic entry, shown in
// the TUI, which the model reads with the person's next prompt):
//   /task <goal>      runs `orch plan "<goal>"`: tasks written into TODO.md and tasks/
//   /orch             the status table (`orch status`); /orch show <id>: one task (`orch show <id>`)
// OpenCode 2 gives a plugin neither the server's address nor its password, so `orch plan` cannot be
// pointed at this server: it uses config server.url when set, else starts a server of its own for
// the planner (.orchestrator/runtime/). OpenCode 2's plugin API has no toast: no notifications here.
// It stays thin: orch's CLI does the work, in a subprocess. It never throws into the person's
// session: a failure is said in the command's reply.
import { spawn } from "node:child_process";

// How to run orch: written by `orch init --opencode` (node and orch's bin, absolute paths).
const ORCH = /* orch-argv */ ["orch"] /* /orch-argv */;
/** A command that runs longer is stopped (a planner session has its own timeouts; this is the backstop). */
const TIMEOUT_MS = 10 * 60_000;

/** Runs orch with `args` in `cwd`; resolves with its exit code and output, never rejects. */
function orch(args, cwd) {
  return new Promise((resolve) => {
    let out = "";
    let child;
    try {
      child = spawn(ORCH[0], [...ORCH.slice(1), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: TIMEOUT_MS });
    } catch (err) {
      resolve({ code: -1, out: String(err?.message ?? err) });
      return;
    }
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (err) => resolve({ code: -1, out: `${out}${err.message}` }));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** What a command runs: orch's arguments, or a usage line. */
function orchArgs(command, text, directory) {
  const args = text.trim();
  if (command === "task") {
    if (!args) return { usage: "usage: /task <goal>, e.g. /task Add discount coupons to the cart" };
    return { argv: ["plan", args, "--dir", directory] };
  }
  const show = /^show\s+(\S+)\s*$/.exec(args);
  if (show) return { argv: ["show", show[1], "--dir", directory] };
  if (args) return { usage: "usage: /orch (the status table) or /orch show <task id>" };
  return { argv: ["status", "--dir", directory] };
}

/** What orch says for `command` with the person's text: its output, a usage line, or the failure. */
async function answer(command, text, directory) {
  try {
    const what = orchArgs(command, text, directory);
    if (what.usage) return what.usage;
    const r = await orch(what.argv, directory);
    return r.code === 0 ? r.out.trimEnd() : `orch ${what.argv[0]} failed (exit ${r.code}):\n${r.out.trimEnd()}`;
  } catch (err) {
    return `the orch plugin failed: ${err?.message ?? err}`;
  }
}

/** The plugin: OpenCode 2 wants a default export with an id and a setup function. */
export default {
  id: "orch",
  setup: async (ctx) => {
    const directory = ctx.location?.directory ?? process.cwd();
    const command = (name, description) => ({
      name,
      description,
      execute: async (invocation) => {
        const text = invocation?.prompt?.text ?? "";
        const said = await answer(name, text, directory);
        try {
          // The TUI shows a synthetic entry's description; its text is what the model reads on the
          // person's next prompt (resume: false: no model turn now, no tokens spent).
          const heard = `The person ran /${name}${text ? ` ${text}` : ""}; orch answered:\n\n${said}`;
          await ctx.session.synthetic({ sessionID: invocation.sessionID, text: heard, description: said, resume: false });
        } catch {
          // the session is gone: nobody to tell
        }
      },
    });
    await ctx.command.transform((registry) => {
      registry.add(command("task", "orch: plan a goal into tasks in TODO.md (orch plan)"));
      registry.add(command("orch", "orch: the status table; /orch show <id> for one task"));
    });
  },
};
