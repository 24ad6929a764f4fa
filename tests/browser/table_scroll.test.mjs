// A long table scrolls through the database a page at a time: 3,000 contacts arrive from the
// server (pushed by another client), the table shows the right rows at every scroll position,
// never holds more than a window of rows, and reads a new page only when the visible rows leave
// the window it has; a header click re-sorts it in the database, by an index (the visible columns
// get theirs while the app is idle) or, for a filter read through another index, by reading the
// sorted row ids once.
import { assert, assertNoConsoleErrors, click, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot, startServer,
         state, tempDir, waitForState } from "./lib.mjs";
import { choose, clickHeader, clickSettled, pushRecords, sessionOf } from "./screens_lib.mjs";

const COUNT = 3000;
const pad = (i) => String(i).padStart(5, "0");
async function wheel(page, dy) {
  const t = await itemRect(page, "Table");
  await page.mouse.move(t.x + t.w / 2, t.y + t.h / 2);
  await page.mouse.wheel(0, dy);
  await page.waitForTimeout(120);
}

// The rows on screen are the ones at their position in the sorted result.
function checkRows(s, descending = false) {
  const t = s.table;
  assert(t.windowRows <= 1000, `the table holds a window of rows, not all of them: ${t.windowRows}`);
  assert(t.visibleTitles.length > 0, "rows are visible");
  t.visibleTitles.forEach((title, k) => {
    const i = descending ? COUNT - 1 - (t.visibleFirst + k) : t.visibleFirst + k;
    assert(title === `Contact ${pad(i)}`, `row ${t.visibleFirst + k} shows ${title}, expected Contact ${pad(i)}`);
  });
}

await runTest("browser table scroll", async ({ defer, step }) => {
  const data = tempDir("crm-scroll-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);

  step(`${COUNT} contacts arrive from another client`);
  const session = await sessionOf(page);
  await pushRecords(server.url, session.token, "contact", Array.from({ length: COUNT }, (_, i) => (
    { name: `Contact ${pad(i)}`, email: `person${pad(i)}@example.com`, phone: `+1 555 ${pad(i)}`,
      job_title: i % 2 ? "Engineer" : "Buyer", lifecycle_stage: "lead" })));
  let s = await waitForState(page, (x) => x.contacts === COUNT && x.table && x.table.total === COUNT && x.table.visibleTitles.length > 0,
                             "every contact counted and the first rows shown", 60000);
  checkRows(s);
  assert(s.table.visibleFirst === 0, "the table starts at the top");

  step("scrolling down reads a page only when the visible rows leave the window");
  const pagesBefore = s.table.pageQueries;
  let lastFirst = 0, scrolledRows = 0;
  for (let i = 0; i < 30; ++i) {
    await wheel(page, 1500);
    s = await state(page);
    checkRows(s);
    assert(s.table.visibleFirst >= lastFirst, "scrolling down moves down");
    scrolledRows += s.table.visibleFirst - lastFirst;
    lastFirst = s.table.visibleFirst;
  }
  const pages = s.table.pageQueries - pagesBefore;
  assert(scrolledRows > 400, `the wheel scrolled through many rows: ${scrolledRows}`);
  assert(pages <= Math.ceil(scrolledRows / 150) + 2, `${pages} pages read for ${scrolledRows} rows scrolled`);
  await screenshot(page, "table-scroll-middle");

  step("the end of the table, and back to the top");
  await wheel(page, 1_000_000);
  s = await waitForState(page, (x) => x.table.visibleEnd === COUNT, "the last rows");
  checkRows(s);
  await wheel(page, -1_000_000);
  s = await waitForState(page, (x) => x.table.visibleFirst === 0, "the first rows again");
  checkRows(s);

  step("a header click sorts all rows in the database, not the window");
  await clickHeader(page, "Header Name");
  s = await waitForState(page, (x) => x.table.sort[0] && x.table.sort[0].descending && x.table.visibleTitles[0] === `Contact ${pad(COUNT - 1)}`,
                         "the last contact first");
  checkRows(s, true);
  await wheel(page, 4000);
  checkRows(await state(page), true);

  step("while nobody touches the app, the visible columns no index orders (phone, job title, stage) get one");
  s = await waitForState(page, (x) => ["phone", "job_title", "lifecycle_stage"].every((c) => x.table.idleIndexes.includes(c)),
                         "sort indexes made while idle", 20000);
  assert(!s.table.idleIndexes.includes("name") && !s.table.idleIndexes.includes("email"),
         `name and email have the schema's indexes: ${s.table.idleIndexes}`);

  step("a sort by one of them reads pages in its order at once, both ways");
  const indexMs = s.table.sortIndexMs;
  await clickHeader(page, "Header Phone");
  s = await waitForState(page, (x) => x.table.sort[0] && x.table.sort[0].field === "phone" && x.table.visibleTitles[0] === `Contact ${pad(0)}`,
                         "the table in phone order");
  assert(!s.table.byIds && s.table.sortIndexMs === indexMs, "the phone order read a page at a time, from the index made while idle");
  checkRows(s);
  for (let i = 0; i < 5; ++i) {
    await wheel(page, 3000);
    checkRows(await state(page));
  }
  await wheel(page, 1_000_000);
  s = await waitForState(page, (x) => x.table.visibleEnd === COUNT, "the last rows in phone order");
  checkRows(s);
  await clickHeader(page, "Header Phone");
  s = await waitForState(page, (x) => x.table.sort[0].descending && x.table.visibleTitles[0] === `Contact ${pad(COUNT - 1)}`,
                         "the table in phone order, last first");
  assert(!s.table.byIds && s.table.sortIndexMs === indexMs, "the same index read backwards, none made again");
  checkRows(s, true);

  step("a filter read through another index (lifecycle stage) sorts its rows once; pages are then read by row id");
  await click(page, "Add filter");
  await clickSettled(page, "Filter 0 field");
  const first = await itemRect(page, "Option Name");  // the list of fields scrolls: down to the lifecycle stage
  await page.mouse.move(first.x + first.w / 2, first.y + first.h / 2);
  await page.mouse.wheel(0, 300);
  await clickSettled(page, "Option Lifecycle stage");
  await choose(page, "Filter 0 value", "Lead");
  await clickHeader(page, "Header Name");
  s = await waitForState(page, (x) => x.table.filters.length === 1 && x.table.sort[0].field === "name" && !x.table.sort[0].descending &&
                                      x.table.byIds && x.table.visibleTitles[0] === `Contact ${pad(0)}`,
                         "the filtered table in name order, as row ids");
  assert(s.table.total === COUNT, `every contact is a lead: ${s.table.total}`);
  checkRows(s);
  await wheel(page, 3000);
  checkRows(await state(page));
  await wheel(page, 1_000_000);
  s = await waitForState(page, (x) => x.table.visibleEnd === COUNT, "the last rows by row id");
  checkRows(s);
  s = await state(page);
  console.log(`  draw time over the last ${s.drawMs.n} frames: p50 ${s.drawMs.p50.toFixed(1)} ms, p95 ${s.drawMs.p95.toFixed(1)} ms, max ${s.drawMs.max.toFixed(1)} ms; ${s.table.pageQueries} pages, ${s.table.countQueries} counts`);
  await screenshot(page, "table-scroll-sorted");
  assertNoConsoleErrors(page);
});
