// `orch init --opencode`: installs orch's OpenCode plugin (plugins/opencode1/orch.js: /task and /orch)
// into the project as .opencode/plugin/orch.js, where OpenCode 1 loads it by itself. Idempotent; a
// file there that is not orch's is never overwritten.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { OrchError, packageRoot } from "../util/index.js";

/** Where the plugin goes in a project. */
export const PLUGIN_PATH = path.join(".opencode", "plugin", "orch.js");

/** The first line of orch's plugin: how a file there is known to be orch's. */
const MARK = "// orch's plugin for OpenCode 1";

/** The plugin's text, told how to run this orch (node and its bin, absolute paths). */
function pluginText(): string {
  const template = readFileSync(path.join(packageRoot(), "plugins", "opencode1", "orch.js"), "utf8");
  const argv = JSON.stringify([process.execPath, path.join(packageRoot(), "dist", "bin", "orch.js")]);
  const placeholder = /\/\* orch-argv \*\/ .* \/\* \/orch-argv \*\//;
  if (!placeholder.test(template)) throw new Error("plugins/opencode1/orch.js has no orch-argv placeholder");
  return template.replace(placeholder, `/* orch-argv */ ${argv} /* /orch-argv */`);
}

/** Installs or updates the plugin; what it did, in words. */
export async function installOpencodePlugin(repo: string): Promise<"created" | "updated" | "unchanged"> {
  const file = path.join(repo, PLUGIN_PATH);
  const text = pluginText();
  if (existsSync(file)) {
    const had = readFileSync(file, "utf8");
    if (!had.startsWith(MARK))
      throw new OrchError("plugin-exists", `${PLUGIN_PATH} exists and is not orch's plugin: left as is`, {
        exitCode: 2,
        hint: "Rename or remove it, then run `orch init --opencode` again.",
      });
    if (had === text) return "unchanged";
    await writeFile(file, text);
    return "updated";
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, { flag: "wx" });
  return "created";
}
