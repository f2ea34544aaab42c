// Bad input: a mission of 2,000 tasks still renders, collapsed (a node per group of tasks in the DAG,
// the first cards of each column), in a real browser. How long it takes is a figure (printed here,
// and by `npm run bench -- ui`), not an assertion: the machine is shared.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { Browser } from "playwright-core";
import { keepScreenshot, launchChromium, startBoardProcess, type BoardProcess } from "../support/board.js";
import { bigMission } from "../support/big-mission.js";

describe("the board of a 2,000-task mission", () => {
  let browser: Browser;
  let board: BoardProcess;

  beforeAll(async () => {
    const { dir } = bigMission(20, 100);
    [board, browser] = await Promise.all([startBoardProcess(["ui", "--dir", dir]), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    expect(await board?.stop()).toBe(0);
  });

  it("renders collapsed: 20 group nodes with their edges, columns of at most 100 cards", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    onTestFailed(async () => void (await keepScreenshot(page, "board-big").catch(() => undefined)));
    await page.goto(board.url);
    await page.waitForSelector("body[data-ready=true]");
    const ms = await page.evaluate(() => performance.getEntriesByName("orch-first-render")[0]!.startTime);
    console.log(`board: 2,000 tasks: page load to first render ${Math.round(ms)} ms`);
    expect(await page.locator("svg#dag").getAttribute("data-collapsed")).toBe("true");
    const groups = await page.locator("svg#dag g.node.group").evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-tasks"))));
    expect(groups).toHaveLength(20);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(2000);
    // Part k's first task waits for Part k-1's last: one edge between consecutive groups at least.
    expect(await page.locator("svg#dag path.edge[data-kind=dep]").count()).toBeGreaterThanOrEqual(19);
    expect(await page.locator('[data-total="done"] b').textContent()).toBe("119/2000");
    await page.click("#show-columns");
    const cards = await page.locator("#columns .column").evaluateAll((cs) => cs.map((c) => c.querySelectorAll(".card").length));
    expect(Math.max(...cards)).toBeLessThanOrEqual(100);
    expect(await page.locator("#columns button.more").count()).toBeGreaterThan(0);
    // A group of the DAG opens as the columns of its own tasks.
    await page.click("#show-dag");
    await page.click('svg#dag g.node.group[data-group="Part 2"]');
    const counts = await page.locator("#columns .column h3 span").evaluateAll((ss) => ss.map((s) => Number(s.textContent)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(await page.locator('#columns .card[data-id="T101"]').count()).toBe(1);
    await page.close();
  });
});
