// The root of the orch package (the folder holding its package.json, prompts/, schemas/,
// examples/, native/). Found by walking up from this module, so it is right whether the code
// runs from src/ (tests), dist/ (tsc output) or the one-file bundle dist/bin/orch.cjs, whose
// depth below the root differs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;
let version = "";

/** Absolute path of the first folder above this module whose package.json is named "orch". */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isOrchPackage(path.join(dir, "package.json"))) return (cached = dir);
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`orch's package.json not found in any folder above ${start}; the installation is incomplete`);
}

/** The version in orch's package.json (what `orch --version` prints). */
export function packageVersion(): string {
  packageRoot();
  return version;
}

function isOrchPackage(file: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (pkg.name !== "orch") return false;
    version = String(pkg.version ?? "");
    return true;
  } catch {
    return false; // missing or unreadable: keep walking up
  }
}
