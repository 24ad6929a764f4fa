// The settings screen with real input: a stage added, renamed, reordered, a refused probability
// and a refused delete (a deal is in the stage) shown beside the row; a custom field added (and a
// duplicate refused beside its key) that then shows on a contact's page; a tag merged into
// another; a server address refused with the reason; the theme following the system on first
// run, switched to dark and still dark after a reload, with screenshots in both themes.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { choose, pushRecords, scrollTo, sessionOf } from "./screens_lib.mjs";

const kSales = "00000000000000000000000000000001";
const kQualification = "00000000000000000000000000000101";

await runTest("browser settings", async ({ defer, step }) => {
  const data = tempDir("crm-settings-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);
  defer(async () => { if (process.exitCode) await screenshot(page, "settings-failure"); });

  const { token } = await sessionOf(page);
  const [adaId] = await pushRecords(server.url, token, "contact", [
    { name: "Ada Lovelace", tags: ["vip", "london"] },
    { name: "Grace Hopper", tags: ["vip"] },
  ]);
  await pushRecords(server.url, token, "deal", [{ name: "Engine order", pipeline_id: kSales, stage_id: kQualification }]);
  await waitForState(page, (s) => s.counts.contact === 2 && s.counts.deal === 1, "the pushed records", 30000);

  step("Settings is in the sidebar and has its own address");
  await click(page, "Nav Settings");
  let s = await waitForState(page, (x) => x.route === "#/settings" && x.settings && x.settings.stages.length === 6,
                             "the settings screen with the Sales stages");
  assert(s.settings.pipeline === "Sales", `the default pipeline: ${s.settings.pipeline}`);
  assert((await page.evaluate(() => window.location.hash)) === "#/settings", "the address");

  step("a stage is added (before won and lost), renamed and moved up");
  await fill(page, "New stage", "Contract sent");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.settings.stages.length === 7, "seven stages");
  const names = () => s.settings.stages.map((x) => x.name);
  assert(names()[4] === "Contract sent" && names()[5] === "Closed won", `the new stage's place: ${names()}`);
  await fill(page, "Stage 4 name", "Contract signed");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.settings.stages[4].name === "Contract signed", "the stage renamed");
  await click(page, "Stage 4 up");
  s = await waitForState(page, (x) => x.settings.stages[3].name === "Contract signed", "the stage moved up");
  assert(names()[4] === "Negotiation", `the stage it passed moved down: ${names()}`);
  assert(s.settings.stages.every((x, i) => x.position === i), `positions renumbered: ${JSON.stringify(s.settings.stages)}`);

  step("a probability over 100 and deleting a stage with a deal in it are refused beside the row");
  await fill(page, "Stage 0 probability", "150");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.crm.itemRect("Stage 0 error") !== null, null, { timeout: 5000 });
  s = await state(page);
  assert(/0 to 100/.test(JSON.stringify(s.settings.errors)) && s.settings.stages[0].probability === 10,
         `the domain's words, nothing saved: ${JSON.stringify(s.settings.errors)}`);
  const field = await itemRect(page, "Stage 0 probability"), error = await itemRect(page, "Stage 0 error");
  assert(Math.abs(error.y - field.y) < field.h && error.x > field.x + field.w,
         `the error is on the stage's row, right of its fields: ${JSON.stringify({ field, error })}`);
  await fill(page, "Stage 0 probability", "15");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.settings.stages[0].probability === 15, "the probability saved");
  await click(page, "Stage 0 delete");
  s = await waitForState(page, (x) => Object.values(x.settings.errors).some((e) => /1 deal is in this stage/.test(e)),
                         "the refusal naming the deal");
  assert(s.settings.stages.length === 7 && s.settings.stages[0].name === "Qualification", "the stage is still there");
  await itemRect(page, "Stage 0 error");
  await click(page, "Stage 6 delete");  // Closed lost: no deal in it
  s = await waitForState(page, (x) => x.settings.stages.length === 6, "the empty stage deleted");
  assert(!s.settings.stages.some((x) => x.name === "Closed lost"), "Closed lost is gone");
  await screenshot(page, "settings-stages-light");

  step("a custom field is added; the same key again is refused beside the key");
  await scrollTo(page, "Add field", "Settings");
  await fill(page, "New field label", "Contract tier");
  await choose(page, "New field kind", "Choice");
  await fill(page, "New field choices", "Gold, Silver");
  await click(page, "Add field");
  s = await waitForState(page, (x) => x.settings.fields.some((f) => f.key === "contract_tier" && f.kind === "choice"),
                         "the new field listed");
  await scrollTo(page, "Add field", "Settings");
  await fill(page, "New field label", "Contract tier");
  await click(page, "Add field");  // the kind stays Choice: no choices and a taken key, both shown
  await page.waitForFunction(() => window.crm.itemRect("New field choices error") !== null, null, { timeout: 5000 });
  await page.waitForFunction(() => window.crm.itemRect("New field key error") !== null, null, { timeout: 5000 });
  s = await state(page);
  assert(/already a custom field/.test(s.settings.errors["new_field/key"] || ""), `refused: ${JSON.stringify(s.settings.errors)}`);
  assert(s.settings.fields.length === 1, "nothing added");

  step("tags in use are listed with their counts, and one merged into another");
  await scrollTo(page, "Tag london rename", "Settings");
  s = await state(page);
  assert(JSON.stringify(s.settings.tags.map((t) => [t.tag, t.records])) === JSON.stringify([["vip", 2], ["london", 1]]),
         `tags: ${JSON.stringify(s.settings.tags)}`);
  await fill(page, "Tag london rename", "vip");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.settings.tags.length === 1 && x.settings.tags[0].records === 2, "london merged into vip");

  step("a server address that is not an origin is refused with the reason");
  await scrollTo(page, "Server address", "Settings");
  await fill(page, "Server address", "crm.example.com/api");
  await click(page, "Save server");
  await page.waitForFunction(() => window.crm.itemRect("Server address error") !== null, null, { timeout: 5000 });
  s = await state(page);
  assert(/http/.test(s.settings.errors.server || "") && s.settings.server === "", `refused: ${JSON.stringify(s.settings.errors)}`);
  await fill(page, "Server address", "");
  await click(page, "Save server");
  await waitForState(page, (x) => !x.settings.errors.server, "the empty address accepted");

  step("the custom field shows on a contact's page");
  await page.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, adaId);
  await waitForState(page, (x) => x.record && x.record.id === adaId, "Ada's page");
  await scrollTo(page, "Field custom.contract_tier", "Field name");
  await choose(page, "Field custom.contract_tier", "Gold");
  await waitForState(page, (x) => x.record.values.custom && x.record.values.custom.contract_tier === "Gold", "the tier saved");
  assert((await state(page)).record.values.tags.length === 1, "Ada's merged tags hold vip once");

  step("the theme follows the system on first run, switches to dark, and stays dark after a reload");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.evaluate(() => localStorage.removeItem("crm.theme"));
  await page.reload();
  await waitForApp(page);
  s = await waitForState(page, (x) => x.signedIn && x.route === `#/contact/${adaId}`, "the app again");
  assert(s.theme === "dark", "a first visit follows prefers-color-scheme: dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => localStorage.removeItem("crm.theme"));
  await page.reload();
  await waitForApp(page);
  s = await waitForState(page, (x) => x.signedIn, "the app again");
  assert(s.theme === "light", "and light when the system is light");
  await click(page, "Nav Settings");
  await waitForState(page, (x) => x.route === "#/settings", "settings");
  await screenshot(page, "settings-light");
  await click(page, "Theme dark");
  await waitForState(page, (x) => x.theme === "dark", "the dark theme");
  await page.waitForTimeout(200);
  await screenshot(page, "settings-dark");
  await page.reload();
  await waitForApp(page);
  s = await waitForState(page, (x) => x.signedIn && x.route === "#/settings", "settings after the reload");
  assert(s.theme === "dark", "still dark after a reload, though the system is light");
  await page.waitForTimeout(300);
  await screenshot(page, "settings-dark-reloaded");
  await click(page, "Nav Contacts");
  await waitForState(page, (x) => x.table && x.table.total === 2, "the contacts table");
  await screenshot(page, "contacts-dark");
  await page.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, adaId);
  await waitForState(page, (x) => x.record && x.record.id === adaId, "Ada's page");
  await screenshot(page, "contact-dark");
  await click(page, "Nav Settings");
  await click(page, "Theme light");
  await waitForState(page, (x) => x.theme === "light", "light again");
  assert((await page.evaluate(() => localStorage.getItem("crm.theme"))) === "light", "the choice is kept");

  assertNoConsoleErrors(page);
});
