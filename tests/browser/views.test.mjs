// The record tables as a person shapes them, with real mouse and keyboard input: a header click
// sorts in the database, the filter bar builds the domain's structured filter (field, operator,
// value; and/or), the filters, columns and sort are saved as a view, and after a reload picking
// the view from the list brings them all back, and Clear filters leaves it. A row's link opens the record, where a custom
// field defined on another device is edited in place; Back returns.
import { assert, assertNoConsoleErrors, click, fill, launchBrowser, openPage, removeDir, runTest, screenshot, startServer,
         state, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { choose, clickHeader, clickSettled, pushRecords, scrollTo, sessionOf, settledRect } from "./screens_lib.mjs";

await runTest("browser views", async ({ defer, step }) => {
  const data = tempDir("crm-views-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);
  defer(async () => { if (process.exitCode) await screenshot(page, "views-failure"); });
  await waitForState(page, (x) => x.route === "#/contacts" && x.table && x.table.total === 0, "the contacts screen");

  step("three contacts arrive from another client; the table sorts by a header click, in the database");
  const session = await sessionOf(page);
  await pushRecords(server.url, session.token, "contact", [
    { name: "Grace Hopper", email: "grace@example.com" },
    { name: "Ada Lovelace", email: "ada.lovelace@example.com" },
    { name: "Alan Turing", email: "alan@example.com" },
  ]);
  let s = await waitForState(page, (x) => x.table && x.table.type === "contact" && x.table.total === 3 && x.table.visibleTitles.length === 3,
                         "three contacts listed");
  await screenshot(page, "views-contacts");
  assert(JSON.stringify(s.table.visibleTitles) === JSON.stringify(["Ada Lovelace", "Alan Turing", "Grace Hopper"]),
         `sorted by name: ${s.table.visibleTitles}`);
  const pagesBefore = s.table.pageQueries;
  await clickHeader(page, "Header Name");
  s = await waitForState(page, (x) => x.table.sort[0] && x.table.sort[0].descending, "descending sort");
  assert(JSON.stringify(s.table.visibleTitles) === JSON.stringify(["Grace Hopper", "Alan Turing", "Ada Lovelace"]),
         `sorted by name, descending: ${s.table.visibleTitles}`);
  assert(s.table.pageQueries > pagesBefore, "the sorted rows came from a new query");
  await clickHeader(page, "Header Email");
  s = await waitForState(page, (x) => x.table.sort[0] && x.table.sort[0].field === "email", "sort by email");
  assert(s.table.visibleTitles[0] === "Ada Lovelace" && s.table.visibleTitles[2] === "Grace Hopper",
         `sorted by email: ${s.table.visibleTitles}`);
  await clickHeader(page, "Header Name");
  await waitForState(page, (x) => x.table.sort[0].field === "name" && !x.table.sort[0].descending, "back to name order");

  step("a filter from the filter bar: field, operator, value");
  await click(page, "Add filter");
  await choose(page, "Filter 0 field", "Email");
  await fill(page, "Filter 0 value", "grace");
  s = await waitForState(page, (x) => x.table.total === 1, "one contact matches");
  assert(s.table.visibleTitles[0] === "Grace Hopper", `the filtered row: ${s.table.visibleTitles}`);
  await click(page, "Add filter");
  await clickSettled(page, "Filter 1 match");
  await clickSettled(page, "Match or");
  await choose(page, "Filter 1 field", "Name");
  await choose(page, "Filter 1 op", "starts with");
  await fill(page, "Filter 1 value", "ada");
  s = await waitForState(page, (x) => x.table.total === 2 && x.table.matchAny, "two contacts match either condition");
  await screenshot(page, "views-filtered");

  step("the filters, columns and sort are saved as a view");
  await clickHeader(page, "Header Name");  // descending
  await waitForState(page, (x) => x.table.sort[0].descending, "descending before saving");
  await click(page, "Save view");
  await settledRect(page, "View name");
  await waitForState(page, (x) => x.typing, "the view name field to take the keyboard");
  await page.keyboard.type("Grace or Ada", { delay: 5 });
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.table.view === "Grace or Ada" && x.table.views.includes("Grace or Ada"), "the saved view");
  const savedColumns = s.table.columns;

  step("after a reload the table starts unfiltered; picking the view re-applies it");
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (x) => x.signedIn && x.route === "#/contacts" && x.table.total === 3, "all contacts after the reload", 20000);
  await clickSettled(page, "Views");
  await clickSettled(page, "View Grace or Ada");
  s = await waitForState(page, (x) => x.table.view === "Grace or Ada" && x.table.total === 2, "the view applied");
  assert(s.table.filters.length === 2 && s.table.matchAny, `the filters came back: ${JSON.stringify(s.table.filters)}`);
  assert(s.table.sort[0].field === "name" && s.table.sort[0].descending, `the sort came back: ${JSON.stringify(s.table.sort)}`);
  assert(JSON.stringify(s.table.columns) === JSON.stringify(savedColumns), `the columns came back: ${s.table.columns}`);
  assert(JSON.stringify(s.table.visibleTitles) === JSON.stringify(["Grace Hopper", "Ada Lovelace"]), `rows: ${s.table.visibleTitles}`);
  await screenshot(page, "views-reapplied");

  step("Clear filters leaves the view: the picker no longer names it");
  await click(page, "Clear filters");
  s = await waitForState(page, (x) => x.table.total === 3 && x.table.filters.length === 0, "all contacts again");
  assert(s.table.view === "", `the view picker names no view once its filters are cleared: '${s.table.view}'`);

  step("a custom field defined elsewhere shows on the record page and is edited in place");
  await pushRecords(server.url, session.token, "field_def", [
    { record_type: "contact", key: "tier", label: "Tier", kind: "choice", choices: ["gold", "silver"], position: 1 },
  ]);
  await waitForState(page, (x) => x.sync === "synced" && x.dataVersion > s.dataVersion, "the field definition to arrive");

  step("a row's link opens the record");
  await click(page, "Open Grace Hopper");
  await waitForState(page, (x) => x.record && x.record.title === "Grace Hopper", "Grace's page from the table");
  await scrollTo(page, "Field custom.tier", "Record fields");
  await choose(page, "Field custom.tier", "Gold");
  s = await waitForState(page, (x) => x.record.values.custom.tier === "gold", "the custom field saved");
  assert(s.record.timeline.some((e) => e.kind === "field" && e.field === "custom.tier"), "the change is on the timeline");
  await screenshot(page, "views-custom-field");
  await page.goBack();
  await waitForState(page, (x) => x.route === "#/contacts", "Back to the table");
  assert((await state(page)).table.columns.length === savedColumns.length, "a new custom field column starts hidden");
  assertNoConsoleErrors(page);
});
