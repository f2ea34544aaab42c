// Hermetic git for tests: no git config of this machine leaks in (orch signs its commits where none
// is set, and a developer's hooks, signing or aliases must not change what a test sees).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Points git at an empty global config and no system config, for this test process. */
export function hermeticGit(): void {
  const empty = path.join(mkdtempSync(path.join(tmpdir(), "orch-gitconfig-")), "gitconfig");
  writeFileSync(empty, "");
  process.env.GIT_CONFIG_GLOBAL = empty;
  process.env.GIT_CONFIG_NOSYSTEM = "1";
}
