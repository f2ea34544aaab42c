// orch's plugin for OpenCode 1, installed by `orch init --opencode` as .opencode/plugin/orch.js
// (OpenCode 1 loads a project's .opencode/plugin/*.js by itself). It adds two commands:
//   /task <goal>      runs `orch plan "<goal>"`: tasks written into TODO.md and tasks/
//   /orch             the status table (`orch status`); /orch show <id>: one task (`orch show <id>`)
// and, while an orch runs the mission (`orch watch` or `orch run`), a toast when a task is done,
// failed, or waits for a person. It learns that from the mission's history (.orchestrator/history/
// <task>.jsonl), which orch appends on every transition, durably, whichever orch process runs: no
// flag, no socket to serve or reconnect to, and nothing lost while OpenCode was not looking.
// It stays thin: orch's CLI does the work, in a subprocess. It never throws into the person's
// session: a failure is said in the command's reply.
import { spawn } from "node:child_process";
import { closeSync, openSync, readSync, readdirSync, statSync, watch } from "node:fs";
import path from "node:path";

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
function orchArgs(command, text, directory, serverUrl) {
  const args = text.trim();
  if (command === "task") {
    if (!args) return { usage: "usage: /task <goal>, e.g. /task Add discount coupons to the cart" };
    // The planner runs on this very server: the person's models and logins.
    return { argv: ["plan", args, "--dir", directory, ...(serverUrl ? ["--server", String(serverUrl).replace(/\/$/, "")] : [])] };
  }
  const show = /^show\s+(\S+)\s*$/.exec(args);
  if (show) return { argv: ["show", show[1], "--dir", directory] };
  if (args) return { usage: "usage: /orch (the status table) or /orch show <task id>" };
  return { argv: ["status", "--dir", directory] };
}

/** Transitions a person hears about: the toast's variant and words. */
const NOTIFY = {
  Succeeded: ["success", "done"],
  Failed: ["error", "failed (orch show <id> says why)"],
  AwaitingApproval: ["warning", "waits for your approval (orch approve|reject <id>)"],
  WaitingForPerson: ["warning", "waits for your answer (orch answer <id>)"],
};

/**
 * Follows the history folder from its current end (or from its start, when orch creates it later):
 * calls `notify(event)` for each transition in NOTIFY appended from then on. Never throws.
 */
function followHistory(directory, notify) {
  const orchDir = path.join(directory, ".orchestrator");
  const folder = path.join(orchDir, "history");
  const offsets = new Map();
  const read = (file) => {
    try {
      const full = path.join(folder, file);
      const from = offsets.get(file) ?? 0;
      const size = statSync(full).size;
      if (size <= from) return;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(full, "r");
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      const text = buf.toString("utf8");
      const end = text.lastIndexOf("\n") + 1; // a line still being appended is read next time
      offsets.set(file, from + Buffer.byteLength(text.slice(0, end)));
      for (const line of text.slice(0, end).split("\n").filter(Boolean)) {
        try {
          const e = JSON.parse(line);
          if (e.kind === "phase" && NOTIFY[e.to]) notify(e);
        } catch {
          // not an event (a conflict marker, a torn line): skipped
        }
      }
    } catch {
      // a file gone or unreadable: skipped
    }
  };
  /** Starts following the folder; false when it is not there (yet). */
  const follow = (fromEnd) => {
    try {
      const files = readdirSync(folder).filter((f) => f.endsWith(".jsonl"));
      for (const f of files) offsets.set(f, fromEnd ? statSync(path.join(folder, f)).size : 0);
      watch(folder, (_event, file) => file && file.endsWith(".jsonl") && read(file)).unref?.();
      if (!fromEnd) files.forEach(read);
      return true;
    } catch {
      return false;
    }
  };
  if (follow(true)) return;
  // orch creates the history folder on its first event: wait for it.
  try {
    const parent = watch(orchDir, (_event, name) => {
      if (name === "history" && follow(false)) parent.close();
    });
    parent.unref?.();
  } catch {
    // no .orchestrator here: not an orch mission, nothing to follow
  }
}

/** The plugin (OpenCode 1 calls every exported function as one: export nothing else). */
export const OrchPlugin = async (ctx) => {
  followHistory(ctx.directory, (e) => {
    const [variant, words] = NOTIFY[e.to];
    Promise.resolve()
      .then(() => ctx.client.tui.showToast({ body: { title: "orch", message: `${e.task}: ${words}`, variant } }))
      .catch(() => {}); // no TUI to show it in: nothing to do
  });
  return hooks(ctx);
};

/** The plugin's hooks. */
const hooks = (ctx) => ({
  config: async (config) => {
    try {
      config.command ??= {};
      config.command.task ??= { template: "$ARGUMENTS", description: "orch: plan a goal into tasks in TODO.md (orch plan)" };
      config.command.orch ??= { template: "$ARGUMENTS", description: "orch: the status table; /orch show <id> for one task" };
    } catch {
      // a config this cannot extend: the commands are missing, the session is untouched
    }
  },
  "command.execute.before": async (input, output) => {
    if (input.command !== "task" && input.command !== "orch") return;
    let said;
    try {
      const what = orchArgs(input.command, input.arguments ?? "", ctx.directory, ctx.serverUrl);
      if (what.usage) said = what.usage;
      else {
        const r = await orch(what.argv, ctx.directory);
        said = r.code === 0 ? r.out.trimEnd() : `orch ${what.argv[0]} failed (exit ${r.code}):\n${r.out.trimEnd()}`;
      }
    } catch (err) {
      said = `the orch plugin failed: ${err?.message ?? err}`;
    }
    // OpenCode sends the command's parts to the model next: it is asked to pass orch's words on.
    output.parts.splice(0, output.parts.length, { type: "text", text: `orch says (repeat it to the person as it is):\n\n${said}` });
  },
});
