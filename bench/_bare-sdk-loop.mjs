// The baseline process for bench/runtime.ts: a bare SDK loop, as small as a script can be, that
// runs the same sessions orch runs (session.create and promptAsync with the bodies orch sends, wait
// for idle, read messages) with the same concurrency.
// Plain JS run by node, so its start-up is what any script's would be.
// Usage: node bench/_bare-sdk-loop.mjs <server-url> <concurrency> <sessions.json>
//   sessions.json: [{ create: <session.create body>, prompt: <promptAsync body without sessionID> }]
import { readFileSync } from "node:fs";
import { createOpencodeClient } from "@opencode-ai/sdk/v2";

const [url, concurrency, file] = process.argv.slice(2);
const sessions = JSON.parse(readFileSync(file, "utf8"));
const client = createOpencodeClient({ baseUrl: url });
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
      const { create, prompt } = sessions[next++];
      const s = await client.session.create(create);
      const idle = new Promise((r) => waiters.set(s.data.id, r));
      await client.session.promptAsync({ sessionID: s.data.id, ...prompt });
      await idle;
      await client.session.messages({ sessionID: s.data.id, directory: create.directory });
    }
  }),
);
ac.abort();
process.exit(0);
