// The public API of src/context/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { NativePool } from "./native-pool.js";
export { findNativeBinary, openCodeTools } from "./open.js";
export { buildContextPack, packNeedsTools } from "./pack.js";
export { estimateTokens } from "./tokens.js";
