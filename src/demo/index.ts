// The public API of src/demo/: what other folders may import (generated from their imports; keep it small).
export { EXAMPLE_SOLUTIONS, demoScript } from "./demo-script.js";
export { startScriptedModel } from "./scripted-model.js";
