// Which orch role a scripted-model request comes from: the demo script and the tests' scripts
// (test/support/script.ts) answer by role.
import type { ModelRequest } from "./scripted-model.js";

/** Which orch role a request comes from: every role prompt carries `orch-role: <role>`. */
export function roleOf(req: ModelRequest): string | undefined {
  return /orch-role: (\w+)/.exec(req.system)?.[1] ?? /orch-role: (\w+)/.exec(req.lastUser)?.[1];
}
