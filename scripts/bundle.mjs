#!/usr/bin/env node
// npm run build, second step: bundles the tsc output of the CLI (dist/cli/main.js and everything
// it imports, node_modules included) into one CommonJS file, dist/bin/orch.cjs, and writes the
// `orch` bin dist/bin/orch.js, a small launcher that runs it through V8's code cache. Node 20 has
// no module compile cache: resolving and loading hundreds of files (yargs, zod, remark, the
// OpenCode SDK, our modules) was most of orch's start-up, and one file halves it; compiling that
// file is then a quarter of what is left, which only vm.Script's cachedData (CommonJS) can skip.
import { build } from "esbuild";
import { bundlePage } from "./bundle-page.mjs";
import { fastStringWidth, jsYamlWithoutEsprima, patchedFiles, yargsWithoutVersionGuess, zodEnglishOnly } from "./bundle-plugins.mjs";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, "dist", "cli", "main.js");
const binDir = path.join(root, "dist", "bin");
const bundleFile = path.join(binDir, "orch.cjs");
const launcherFile = path.join(binDir, "orch.js");
/** Code cache files: orch.cjs.<hash of orch.cjs>.<loop|cli>.cache, written by the launcher at run time. */
const CACHE = /^orch\.cjs\.[0-9a-f]+(\.[a-z]+)?\.cache$/;

// The ESM sources ran strict; a CommonJS bundle is sloppy unless it says otherwise, and that
// would change the semantics of every module in it. import.meta.url becomes the bundle's own
// file URL (packageRoot(), the opencode binary's lookup and yargs' locales start from it).
const banner = '"use strict"; const __orchImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';

/**
 * yargs reads its locale files from `<its shim module>/../../../locales`. Bundled, that module is
 * dist/bin/orch.cjs, so the path would leave dist/; copy the files next to the bundle and point
 * yargs there. Fails the build if yargs changes that line, rather than shipping a CLI whose
 * yargs messages silently lose their translations.
 */
const YARGS_SHIM = /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
const yargsLocales = {
  name: "yargs-locales",
  setup(b) {
    b.onLoad({ filter: YARGS_SHIM }, (args) => {
      const from = "resolve(__dirname, '../../../locales')";
      const text = readFileSync(args.path, "utf8");
      if (text.split(from).length !== 2) throw new Error(`${args.path}: expected one \`${from}\` to redirect yargs' locales`);
      cpSync(path.resolve(path.dirname(args.path), "../../locales"), path.join(binDir, "yargs-locales"), { recursive: true });
      return { contents: text.replace(from, "resolve(__dirname, '../yargs-locales')"), loader: "js" };
    });
  },
};

const { metafile } = await build({
  entryPoints: [entry],
  outfile: bundleFile,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Node 20's V8 has the RegExp v flag; esbuild would turn such literals into new RegExp() calls,
  // which compile at load (string-width's \p{RGI_Emoji}: ~7 ms of every start-up).
  supported: { "regexp-set-notation": true },
  banner: { js: banner },
  define: { "import.meta.url": "__orchImportMetaUrl" },
  sourcemap: true, // dist/bin/orch.cjs.map, chained through tsc's maps to src/*.ts (ORCH_DEBUG=1 uses it)
  sourcesContent: false, // the map points at src/; keep it small
  legalComments: "none",
  // Whitespace and syntax only: a third smaller, which every start reads, hashes and (where the code
  // cache has no code for a function) parses; names stay, for stack traces and profiles.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  metafile: true,
  plugins: [yargsLocales, fastStringWidth, zodEnglishOnly, jsYamlWithoutEsprima, yargsWithoutVersionGuess],
});

// Each patch must have met the file it patches: one a dependency moved would ship unpatched.
for (const [name, file] of Object.entries({ ...patchedFiles, [yargsLocales.name]: YARGS_SHIM }))
  if (!Object.keys(metafile.inputs).some((f) => file.test(f))) throw new Error(`${name}: no bundled file matches ${file}; the patch did nothing`);

// vm.Script has no loader for import(): one left in the bundle would fail at run time, not here.
// (esbuild itself refuses top-level await in a CommonJS bundle.)
const dynamic = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === "dynamic-import"));
if (dynamic.length) throw new Error(`${bundleFile}: import() of ${dynamic.map((i) => i.path).join(", ")} left in the bundle`);

// The entry's shebang stays at the top of the bundle, where Module.wrap would make it a syntax
// error; turn it into a comment of the same length so that the source map still lines up.
let text = readFileSync(bundleFile, "utf8");
if (text.startsWith("#!")) writeFileSync(bundleFile, (text = `//${text.slice(2)}`));
if (text.includes("\n#!")) throw new Error(`${bundleFile}: unexpected shebang line inside the bundle`);

const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
for (const f of readdirSync(binDir)) if (CACHE.test(f)) rmSync(path.join(binDir, f), { force: true });
rmSync(`${launcherFile}.map`, { force: true }); // the ESM bundle's map, from builds before the launcher

writeFileSync(launcherFile, launcher(`orch.cjs.${hash}`));
chmodSync(launcherFile, 0o755);

await bundlePage(root);

/** The `orch` bin: ESM (package.json has "type": "module"), a few lines, no dependency. */
function launcher(cachePrefix) {
  return `#!/usr/bin/env node
// The orch bin, written by scripts/bundle.mjs: runs the CommonJS bundle orch.cjs through V8's code
// cache. The cache's name carries the bundle's hash, so a new bundle never meets an old cache; a
// missing or rejected one (another Node, other V8 flags) is written at exit, after the run, so the
// functions that ran are in it. A cache problem costs time only: its errors are ignored.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const filename = fileURLToPath(new URL("orch.cjs", import.meta.url));
const dirname = path.dirname(filename);
// run and watch (the loop) keep a cache of their own: a cache holds the functions that had run when
// it was written, and the loop's are mostly not the other commands'.
const command = process.argv.slice(2).find((a) => typeof a === "string" && !a.startsWith("-"));
const cacheFile = path.join(dirname, \`${cachePrefix}.\${command === "run" || command === "watch" ? "loop" : "cli"}.cache\`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
const script = new vm.Script(Module.wrap(readFileSync(filename, "utf8")), { filename, cachedData });
const state = cachedData === undefined ? "none" : script.cachedDataRejected === false ? "used" : "rejected";
if (state !== "used" || process.env.ORCH_DEBUG) process.once("exit", () => debug(state === "used" ? state : \`\${state}, \${writeCache()}\`));

// A CommonJS module as Node's loader makes one (_nodeModulePaths is what createRequire uses too);
// its require, from createRequire, resolves from orch.cjs and has require.resolve.
const mod = new Module(filename, null);
mod.filename = filename;
mod.paths = Module._nodeModulePaths(dirname);
script.runInThisContext()(mod.exports, createRequire(filename), mod, filename, dirname);
mod.loaded = true;
mod.exports.main();

function writeCache() {
  const tmp = \`\${cacheFile}.\${process.pid}.tmp\`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    return "written";
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    return \`not written (\${err?.code ?? err})\`;
  }
}

function debug(what) {
  if (process.env.ORCH_DEBUG) process.stderr.write(\`orch: code cache \${cacheFile}: \${what}\\n\`);
}
`;
}
