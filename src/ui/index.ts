// The public API of src/ui/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { parseListen } from "./address.js";
export { openBoard } from "./open.js";
