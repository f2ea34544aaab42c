// The public API of src/demo/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { EXAMPLE_SOLUTIONS, demoScript } from "./demo-script.js";
export { startScriptedModel } from "./scripted-model.js";
