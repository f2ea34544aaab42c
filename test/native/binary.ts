// Locates orch-native for tests, as orch does ($ORCH_NATIVE_BIN, else the built one). Absent
// binary: the suites skip with the reason, except under CI (CI builds it first), where a missing
// binary is a failure.
import { findNativeBinary } from "../../src/context/open.js";

const found = findNativeBinary();
export const NATIVE_BIN = found.path;
export const HAVE_NATIVE = found.found;
export const SKIP_REASON = HAVE_NATIVE ? "" : `orch-native not built (${NATIVE_BIN}): run \`npm run build:native\``;

/** Throws under CI=true when the binary is missing, so CI cannot pass by skipping. */
export function requireNativeInCi(): void {
  if (!HAVE_NATIVE && process.env.CI === "true") throw new Error(`CI=true but ${SKIP_REASON}`);
}
