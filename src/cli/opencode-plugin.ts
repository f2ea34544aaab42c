// `orch init --opencode`: installs orch's OpenCode plugins (/task and /orch) into the project, one per
// OpenCode major version, where each loads it by itself: plugins/opencode1/orch.js as
// .opencode/plugin/orch.js, plugins/opencode2/orch.js as .opencode/plugins/orch-v2.js. One file cannot
// serve both: OpenCode 1 calls every exported function as a plugin, OpenCode 2 wants a default export
// `{ id, setup }`. Idempotent; a file there that is not orch's is never overwritten.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { OrchError, packageRoot } from "../util/index.js";

/** One plugin file: where it goes in a project, its template in orch's package, its first line. */
interface PluginFile {
  path: string;
  template: string;
  /** How a file there is known to be orch's. */
  mark: string;
}

/** The plugins, OpenCode 1's first. */
export const PLUGINS: readonly PluginFile[] = [
  { path: path.join(".opencode", "plugin", "orch.js"), template: path.join("plugins", "opencode1", "orch.js"), mark: "// orch's plugin for OpenCode 1" },
  { path: path.join(".opencode", "plugins", "orch-v2.js"), template: path.join("plugins", "opencode2", "orch.js"), mark: "// orch's plugin for OpenCode 2" },
];

/** The plugin's text, told how to run this orch (node and its bin, absolute paths). */
function pluginText(plugin: PluginFile): string {
  const template = readFileSync(path.join(packageRoot(), plugin.template), "utf8");
  const argv = JSON.stringify([process.execPath, path.join(packageRoot(), "dist", "bin", "orch.js")]);
  const placeholder = /\/\* orch-argv \*\/ .* \/\* \/orch-argv \*\//;
  if (!placeholder.test(template)) throw new Error(`${plugin.template} has no orch-argv placeholder`);
  return template.replace(placeholder, `/* orch-argv */ ${argv} /* /orch-argv */`);
}

/** What installing one file did. */
type InstallOutcome = "created" | "updated" | "unchanged";

/**
 * Installs or updates every plugin; what it did to each, in PLUGINS' order. Each file is checked
 * before any is written, so a file that is not orch's leaves the project as it was.
 */
export async function installOpencodePlugins(repo: string): Promise<InstallOutcome[]> {
  const plan = PLUGINS.map((plugin) => {
    const file = path.join(repo, plugin.path);
    const text = pluginText(plugin);
    if (!existsSync(file)) return { file, text, did: "created" as const };
    const had = readFileSync(file, "utf8");
    if (!had.startsWith(plugin.mark))
      throw new OrchError("plugin-exists", `${plugin.path} exists and is not orch's plugin: left as is`, {
        exitCode: 2,
        hint: "Rename or remove it, then run `orch init --opencode` again.",
      });
    return { file, text, did: had === text ? ("unchanged" as const) : ("updated" as const) };
  });
  for (const { file, text, did } of plan) {
    if (did === "unchanged") continue;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, did === "created" ? { flag: "wx" } : {});
  }
  return plan.map((p) => p.did);
}
