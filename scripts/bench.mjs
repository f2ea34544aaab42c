// Runs every benchmark in bench/ (or those whose name contains an argument), each in its
// own process so that peak memory is per benchmark. Each prints its own ratios to a
// baseline measured in the same run.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const filters = process.argv.slice(2);
const benches = readdirSync(path.join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const f of benches) {
  console.log(`\n## bench/${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", path.join(root, "bench", f)], {
    stdio: "inherit",
    cwd: root,
  });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
