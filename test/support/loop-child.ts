// TEST-ONLY entry: runs the real reconcile loop (drive) with the fake runtime in a child process, so tests
// can kill -9 it, restart it, and run two at once. Not reachable from the orch CLI.
// Usage: node --import tsx test/support/loop-child.ts <root> <watch|run>   (script: ORCH_FAKE_SCRIPT JSON)
import { drive } from "../../src/reconcile/drive.js";
import { finishWith } from "../../src/cli/outcome.js";
import { failureOf } from "../../src/util/errors.js";
import { FakeRuntime, type FakeScript } from "./fake-runtime.js";

const [root, mode] = process.argv.slice(2);
if (!root || (mode !== "watch" && mode !== "run")) {
  process.stderr.write("usage: loop-child.ts <root> <watch|run>\n");
  process.exit(2);
}
const script = JSON.parse(process.env.ORCH_FAKE_SCRIPT ?? "{}") as FakeScript;
const outcome = await drive({
  root,
  runtime: new FakeRuntime(script),
  mode,
  emit: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
});
// The CLI's mapping: finishWith throws the error that explains an exit 4.
let code: number;
try {
  code = finishWith(outcome);
} catch (err) {
  code = failureOf(err).exitCode;
}
process.stdout.write(`${JSON.stringify({ type: "exit", code })}\n`);
process.exitCode = code;
