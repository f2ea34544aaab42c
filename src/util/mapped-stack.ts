// ORCH_DEBUG=1 stack traces that point at src/*.ts. Node maps stack frames only for files loaded
// after source maps were turned on (--enable-source-maps or process.setSourceMapsEnabled), and
// the bundle dist/bin/orch.cjs is compiled before any of its code can turn them on; so the frames
// are mapped here, on the error path only, through the .map file next to each generated file
// (esbuild's for the bundle, whose frames name its path, tsc's for dist/**/*.js, file: URLs).
import { existsSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** `stack` with each `file:line:col` that a source map covers replaced by its original place. */
export function mappedStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack.replace(/(file:\/\/\/[^\s()]+?|\/[^\s():]+?):(\d+):(\d+)(?=\)?$)/gm, (whole, where: string, line: string, col: string) => {
    const file = where.startsWith("file:") ? fileURLToPath(where) : where;
    if (!maps.has(file)) maps.set(file, loadMap(file));
    const origin = maps.get(file)?.findOrigin(Number(line), Number(col));
    if (!origin || !("fileName" in origin)) return whole;
    const source = path.resolve(path.dirname(file), origin.fileName);
    const shown = where.startsWith("file:") ? pathToFileURL(source).href : source;
    return `${shown}:${origin.lineNumber}:${origin.columnNumber}`;
  });
}

function loadMap(file: string): SourceMap | undefined {
  try {
    const mapFile = `${file}.map`;
    if (!existsSync(mapFile)) return undefined;
    return new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")) as SourceMapPayload);
  } catch {
    return undefined; // an unreadable map: show the frame as it is
  }
}
