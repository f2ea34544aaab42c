// Locates orch-native for tests. Absent binary: the suites skip with a reason, except under CI
// (CI builds it first), where a missing binary is a failure.
import { existsSync } from "node:fs";
import path from "node:path";

export const NATIVE_BIN = path.resolve(import.meta.dirname, "../../native/target/release/orch-native");
export const HAVE_NATIVE = existsSync(NATIVE_BIN);
export const SKIP_REASON = HAVE_NATIVE ? "" : `orch-native not built (${NATIVE_BIN}): run \`npm run build:native\``;

/** Throws under CI=true when the binary is missing, so CI cannot pass by skipping. */
export function requireNativeInCi(): void {
  if (!HAVE_NATIVE && process.env.CI === "true") throw new Error(`CI=true but ${SKIP_REASON}`);
}
