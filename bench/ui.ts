// The board (orch watch --ui, orch ui): figures for docs/UI.md, measured in Debian's chromium.
// - the demo mission (orch watch --demo --ui on a copy of examples/hello-mission): page load to first
//   render, and how long after the loop says a phase changed the page shows it (every change of the run);
// - a 2,000-task mission (orch ui): the server's first board (read, build, layout: until it prints the
//   URL) and page load to first render;
// - orch's memory with and without --ui over the same demo run: RSS once the mission is done, and the peak.
// No target in an issue beyond "under 2 s" for the 2,000 tasks; figures only.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { prepareDemo } from "../src/demo/main.js";
import { launchChromium, startBoardProcess } from "../test/support/board.js";
import { bigMission } from "../test/support/big-mission.js";
import { CLI } from "../test/support/cli.js";

const browser = await launchChromium();
const firstRender = async (url: string) => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return { page, ms: await page.evaluate(() => performance.getEntriesByName("orch-first-render")[0]!.startTime) };
};

/** KiB of /proc/<pid>/status's VmRSS and VmHWM (peak). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Runs the demo mission with `orch watch --demo --json` (plus --ui when asked, a page open on it) until all 6 tasks are done. */
async function demoRun(ui: boolean): Promise<{ rss: number; peak: number; loadMs?: number; lags?: number[] }> {
  const dir = prepareDemo(mkdtempSync(path.join(tmpdir(), "orch-bench-ui-")));
  const args = ["watch", "--demo", "--json", "--dir", dir, ...(ui ? ["--ui"] : [])];
  let loadMs: number | undefined;
  let page: Awaited<ReturnType<typeof firstRender>>["page"] | undefined;
  let proc;
  if (ui) {
    const b = await startBoardProcess(args);
    proc = b.proc;
    ({ page, ms: loadMs } = await firstRender(b.url));
  } else proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve) => {
    let out = "";
    const look = (d: Buffer) => {
      out += d;
      if (/"type":"idle","done":6,"total":6/.test(out)) resolve();
    };
    if (proc.stdout!.readableLength) look(proc.stdout!.read());
    proc.stdout!.on("data", look);
  });
  const mem = memory(proc.pid!);
  const lags = page ? await page.evaluate(() => performance.getEntriesByName("orch-phase").map((m) => (m as unknown as { detail: { lagMs: number } }).detail.lagMs)) : undefined;
  await page?.close();
  proc.kill("SIGTERM");
  await new Promise((r) => proc.on("exit", r));
  return { ...mem, ...(loadMs !== undefined ? { loadMs } : {}), ...(lags ? { lags } : {}) };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
// RSS at one moment moves with the garbage collector by several MiB: pairs, alternated, and medians.
const PAIRS = 3;
const without: Awaited<ReturnType<typeof demoRun>>[] = [];
const withUi: Awaited<ReturnType<typeof demoRun>>[] = [];
for (let i = 0; i < PAIRS; i++) {
  without.push(await demoRun(false));
  withUi.push(await demoRun(true));
}
const lags = withUi.flatMap((r) => r.lags!).sort((a, b) => a - b);
console.log(`demo mission (6 tasks): page load to first render ${withUi.map((r) => Math.round(r.loadMs!)).join(", ")} ms (${PAIRS} runs)`);
console.log(`demo mission: ${lags.length} phase changes shown ${median(lags)} ms (median), ${lags[lags.length - 1]} ms (max) after the loop said them`);
const rss = (rs: typeof without, k: "rss" | "peak") => median(rs.map((r) => r[k]));
console.log(`orch watch --demo, mission done (median of ${PAIRS}): RSS ${mib(rss(without, "rss"))} without --ui, ${mib(rss(withUi, "rss"))} with (${mib(rss(withUi, "rss") - rss(without, "rss"))} more); peak ${mib(rss(without, "peak"))} → ${mib(rss(withUi, "peak"))} (${mib(rss(withUi, "peak") - rss(without, "peak"))} more); each run: ${without.map((r, i) => `${mib(r.rss)}/${mib(withUi[i]!.rss)}`).join(", ")}`);

for (const n of [2000]) {
  const { dir } = bigMission(n / 100, 100);
  const t0 = performance.now();
  const b = await startBoardProcess(["ui", "--dir", dir]);
  const serverMs = performance.now() - t0;
  const { page, ms } = await firstRender(b.url);
  console.log(`${n.toLocaleString("en-US")} tasks (orch ui): ${Math.round(serverMs)} ms to the URL (start-up, first board read and layout), page load to first render ${Math.round(ms)} ms`);
  await page.close();
  await b.stop();
}
await browser.close();
