#!/usr/bin/env node
// npm run build, second step: bundles the tsc output of the CLI (dist/cli/main.js and everything
// it imports, node_modules included) into one file, dist/bin/orch.js, the `orch` bin. Node 20
// has no module compile cache, so resolving and loading hundreds of files (yargs, zod, remark,
// the OpenCode SDK, our modules) was most of orch's start-up time; one file halves it.
import { build } from "esbuild";
import { chmodSync, cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, "dist", "cli", "main.js");
const outfile = path.join(root, "dist", "bin", "orch.js");
const SHEBANG = "#!/usr/bin/env node";

// CJS dependencies (gray-matter, proper-lockfile, …) call require() for builtins; an ESM bundle
// has none, so give it one. esbuild keeps the entry's shebang at the very top by itself.
const hasShebang = readFileSync(entry, "utf8").startsWith("#!");
const banner = [
  ...(hasShebang ? [] : [SHEBANG]),
  'import { createRequire as __orchCreateRequire } from "node:module"; const require = __orchCreateRequire(import.meta.url);',
].join("\n");

/**
 * yargs reads its locale files from `<its shim module>/../../../locales`. Bundled, that module is
 * dist/bin/orch.js, so the path would leave dist/; copy the files next to the bundle and point
 * yargs there. Fails the build if yargs changes that line, rather than shipping a CLI whose
 * yargs messages silently lose their translations.
 */
const yargsLocales = {
  name: "yargs-locales",
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const from = "resolve(__dirname, '../../../locales')";
      const text = readFileSync(args.path, "utf8");
      if (text.split(from).length !== 2) throw new Error(`${args.path}: expected one \`${from}\` to redirect yargs' locales`);
      cpSync(path.resolve(path.dirname(args.path), "../../locales"), path.join(path.dirname(outfile), "yargs-locales"), { recursive: true });
      return { contents: text.replace(from, "resolve(__dirname, '../yargs-locales')"), loader: "js" };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner: { js: banner },
  sourcemap: true, // dist/bin/orch.js.map, chained through tsc's maps to src/*.ts (ORCH_DEBUG=1 uses it)
  sourcesContent: false, // the map points at src/; keep it small
  legalComments: "none",
  logLevel: "warning",
  plugins: [yargsLocales],
});

const out = readFileSync(outfile, "utf8");
if (!out.startsWith(`${SHEBANG}\n`) || out.includes("\n#!")) {
  throw new Error(`${outfile}: expected exactly one shebang line, at the top`);
}
chmodSync(outfile, 0o755);
