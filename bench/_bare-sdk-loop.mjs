// The baseline process for bench/runtime.ts: a bare SDK loop, as small as a script can be, that
// runs the same sessions orch runs (create with the same title and permission rules, promptAsync
// with the same prompt and system text, wait for idle, read messages) with the same concurrency.
// Plain JS run by node, so its start-up is what any script's would be.
// Usage: node bench/_bare-sdk-loop.mjs <server-url> <concurrency> <sessions.json>
//   sessions.json: [{ directory, title, permission, prompt, system?, agent?, model: { providerID, modelID } }]
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
      const { directory, title, permission, prompt, system, agent, model } = sessions[next++];
      const s = await client.session.create({ directory, title, permission });
      const idle = new Promise((r) => waiters.set(s.data.id, r));
      await client.session.promptAsync({ sessionID: s.data.id, directory, agent, system, model, parts: [{ type: "text", text: prompt }] });
      await idle;
      await client.session.messages({ sessionID: s.data.id, directory });
    }
  }),
);
ac.abort();
process.exit(0);
