// `orch init`: scaffolds TODO.md, tasks/ and .orchestrator/config.json; never overwrites a file.
import path from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import type { CommandModule } from "yargs";
import { repoRoot } from "../repo.js";
import { ensureLayout } from "../../store/index.js";
import { CONFIG_PATH } from "../../spec/index.js";
import { packageRoot } from "../../util/index.js";
import { installOpencodePlugins, PLUGINS } from "../opencode-plugin.js";

interface InitArgs {
  dir: string;
  opencode: boolean;
}

const TODO = `# Mission

<!-- One task per line: - [ ] <id> <title> (after <ids>). orch checks the box when the task is done
     and verified; uncheck it to have it redone; delete the line to cancel. Nested items are subtasks. -->

- [ ] T1 Write the first piece of work
- [ ] T2 Build on it (after T1)
`;

const T1 = `---
type: logic
verify:
  - node --test
files:
  - src/**
---
Describe the task: what to build, where, and how to tell it is done.
`;

/** How .orchestrator/config.json refers to this package's schemas/config.schema.json. */
function schemaRef(repo: string): string {
  const schema = path.join(packageRoot(), "schemas", "config.schema.json");
  const rel = path.relative(path.join(repo, ".orchestrator"), schema).split(path.sep).join("/");
  // Inside the repo (e.g. node_modules/orch): a portable relative path; otherwise a file URL.
  return path.relative(repo, schema).startsWith("..") ? `file://${schema}` : rel;
}

/**
 * The config `orch init` writes: the main options with their defaults, so that a person sees what
 * there is to set (docs/CONFIG.md lists every key). The model is the person's choice: no default.
 */
function starterConfig(repo: string) {
  return {
    $schema: schemaRef(repo),
    todo: "TODO.md",
    tasksDir: "tasks",
    concurrency: { total: 4 },
    verify: { commands: [] },
    review: { enabled: true },
    budget: { attempts: 5 },
    ladder: { search: 3, split: 4, ask: 5 },
    git: { commit: "task" },
  };
}

/** Creates each missing file; returns what it created and what it left alone. */
async function scaffold(repo: string): Promise<{ created: string[]; kept: string[] }> {
  const created: string[] = [];
  const kept: string[] = [];
  const put = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    try {
      await writeFile(path.join(repo, rel), text, { flag: "wx" }); // wx: fail rather than overwrite
      created.push(rel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      kept.push(rel);
    }
  };
  const todoIsNew = !existsSync(path.join(repo, "TODO.md"));
  await put("TODO.md", TODO);
  if (existsSync(path.join(repo, "tasks"))) kept.push("tasks/");
  else {
    await mkdir(path.join(repo, "tasks"));
    created.push("tasks/");
  }
  // The example task file only goes with the example TODO.md, or it would be an orphan.
  if (todoIsNew) await put("tasks/T1.md", T1);
  await put(CONFIG_PATH, `${JSON.stringify(starterConfig(repo), null, 2)}\n`);
  const before = [".gitignore", ".gitattributes"].filter((f) => !existsSync(path.join(repo, ".orchestrator", f)));
  ensureLayout(path.join(repo, ".orchestrator"));
  created.push(...before.map((f) => `.orchestrator/${f}`));
  return { created, kept };
}

/** yargs command module for `orch init`. */
export const initCommand: CommandModule<object, InitArgs> = {
  command: "init",
  describe: "Create TODO.md, tasks/ and .orchestrator/config.json (existing files are left alone); --opencode: also orch's OpenCode plugins (/task, /orch)",
  builder: (y) => y.option("opencode", { type: "boolean", default: false, describe: `Install orch's OpenCode plugins (/task <goal>, /orch, /orch show <id>): ${PLUGINS.map((p) => p.path).join(" for OpenCode 1, ")} for OpenCode 2` }) as any,
  handler: async (args) => {
    const repo = await repoRoot(args.dir);
    const { created, kept } = await scaffold(repo);
    for (const f of created) process.stdout.write(`created  ${f}\n`);
    for (const f of kept) process.stdout.write(`exists   ${f} (left as is)\n`);
    if (args.opencode) {
      const outcomes = await installOpencodePlugins(repo);
      PLUGINS.forEach(({ path: file }, i) => {
        const did = outcomes[i]!;
        const which = `OpenCode ${i + 1}`;
        process.stdout.write(did === "unchanged" ? `exists   ${file} (orch's ${which} plugin, up to date)\n` : `${did.padEnd(8)} ${file} (orch's ${which} plugin: /task, /orch)\n`);
        if (did !== "unchanged") created.push(file);
      });
    }
    process.stdout.write(created.length ? "Next: edit TODO.md, set models.default in .orchestrator/config.json (README: \"Pointing orch at a real model\"), then run `orch validate` and `orch doctor`.\n" : "Nothing to do: everything exists.\n");
  },
};
