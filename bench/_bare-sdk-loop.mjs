// The baseline process for bench/runtime.ts: a bare SDK loop, as small as a script can be, that
// does the work orch does for a mission: the same sessions (session.create and promptAsync with the
// bodies orch sends, wait for idle, read messages) with the same concurrency, and, unless told
// `--sessions-only`, each task's verify commands after its session (through `sh -c` in its folder,
// output collected; like orch, not holding a session's place meanwhile).
// Plain JS run by node, so its start-up is what any script's would be.
// Usage: node bench/_bare-sdk-loop.mjs <server-url> <concurrency> <sessions.json> [--sessions-only]
//   sessions.json: [{ create: <session.create body>, prompt: <promptAsync body without sessionID>, verify: [command] }]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createOpencodeClient } from "@opencode-ai/sdk/v2";

const [url, concurrency, file, mode] = process.argv.slice(2);
const sessions = JSON.parse(readFileSync(file, "utf8"));
const verifies = [];
let failed;
/** Runs the commands one after another, stopping at the first failure; rejects on a failure. */
async function verify(commands, cwd) {
  await new Promise((r) => setImmediate(r)); // the next session's request first, as orch does
  for (const command of commands) {
    const code = await new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", command], { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`verify \`${command}\` exited ${code}`);
  }
}
// Uncompressed, as orch asks a loopback server: the comparison is not about OpenCode's gzip.
const client = createOpencodeClient({ baseUrl: url, headers: { "accept-encoding": "identity" } });
const waiters = new Map();
const ac = new AbortController();
const events = await client.global.event({ signal: ac.signal });
void (async () => {
  try {
    for await (const e of events.stream) if (e.payload?.type === "session.idle") waiters.get(e.payload.properties?.sessionID ?? "")?.();
  } catch {
    // aborted at the end
  }
})();
let next = 0;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < sessions.length) {
      const { create, prompt, verify: commands } = sessions[next++];
      const s = await client.session.create(create);
      const idle = new Promise((r) => waiters.set(s.data.id, r));
      await client.session.promptAsync({ sessionID: s.data.id, ...prompt });
      await idle;
      await client.session.messages({ sessionID: s.data.id, directory: create.directory });
      if (mode !== "--sessions-only") verifies.push(verify(commands, create.directory).catch((err) => (failed ??= err)));
    }
  }),
);
await Promise.all(verifies);
if (failed) throw failed;
ac.abort();
process.exit(0);
