// The public API of src/context/: what other folders may import (generated from their imports; keep it small).
export { NativePool } from "./native-pool.js";
export { findNativeBinary, openCodeTools } from "./open.js";
export { buildContextPack, packNeedsTools } from "./pack.js";
export { estimateTokens } from "./tokens.js";
