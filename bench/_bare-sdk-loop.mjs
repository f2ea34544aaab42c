// The baseline process for bench/runtime.ts: a bare SDK loop, as small as a script can be, that
// runs the same worker sessions orch runs (create, promptAsync, wait for idle, read messages) with
// the same concurrency. Plain JS run by node, so its start-up is what any script's would be.
// Usage: node bench/_bare-sdk-loop.mjs <server-url> <concurrency> <dir>...
import { createOpencodeClient } from "@opencode-ai/sdk/v2";

const [url, concurrency, ...dirs] = process.argv.slice(2);
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
    while (next < dirs.length) {
      const i = next++;
      const s = await client.session.create({ directory: dirs[i], title: `T${i + 1}` });
      const idle = new Promise((r) => waiters.set(s.data.id, r));
      await client.session.promptAsync({ sessionID: s.data.id, directory: dirs[i], agent: "worker", model: { providerID: "orch-demo", modelID: "scripted" }, parts: [{ type: "text", text: `task ${i + 1}` }] });
      await idle;
      await client.session.messages({ sessionID: s.data.id, directory: dirs[i] });
    }
  }),
);
ac.abort();
process.exit(0);
