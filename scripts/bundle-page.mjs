// npm run build, the board's page (orch watch --ui, orch ui): src/ui/page/main.ts bundled by esbuild
// into one browser script, dist/ui/page/board.js, beside its HTML and CSS. The server serves these files
// and nothing else: the page fetches no external asset.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";

/** Writes dist/ui/page/{index.html,board.css,board.js} from src/ui/page/. */
export async function bundlePage(root) {
  const src = path.join(root, "src", "ui", "page");
  const out = path.join(root, "dist", "ui", "page");
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(src, "main.ts")],
    outfile: path.join(out, "board.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome110",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
  for (const f of ["index.html", "board.css"]) copyFileSync(path.join(src, f), path.join(out, f));
}
