// The public API of src/util/: what other folders may import. test/architecture.test.ts keeps every import from
// another folder going through this file; keep it to what they use (knip reports an export nobody imports).
export { Timer, realClock } from "./clock.js";
export type { Clock, TimerHandle } from "./clock.js";
export { Conditions } from "./conditions.js";
export { OrchError, failureOf, formatProblem } from "./errors.js";
export type { Failure, Problem } from "./errors.js";
export { globMatcher, globProblem, globToRegExp, literalGlob, scopeGlobs } from "./glob.js";
export { mappedStack } from "./mapped-stack.js";
export { packageRoot, packageVersion } from "./package-root.js";
export { Semaphore } from "./semaphore.js";
export { uniqueToken } from "./unique.js";
