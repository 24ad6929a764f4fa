// The screens a sales person uses all day, driven with real mouse and keyboard input: the
// sidebar and the address bar, creating a company, a contact and a deal through the new-record
// form (a refused value shown beside its field), and the record page (a field edited in place,
// an invalid value refused beside the field, a note and a call logged from the timeline, related
// records linked and their links followed, Back and Forward). Tables: views.test.mjs.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForState } from "./lib.mjs";
import { clickSettled, createRecord } from "./screens_lib.mjs";

const hash = (page) => page.evaluate(() => window.location.hash);

await runTest("browser screens", async ({ defer, step }) => {
  const data = tempDir("crm-screens-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);
  defer(async () => { if (process.exitCode) await screenshot(page, "screens-failure"); });

  step("the sidebar lists the screens and the address names the one shown");
  await waitForState(page, (s) => s.route === "#/contacts" && s.table && s.table.total === 0, "the contacts screen");
  assert((await hash(page)) === "#/contacts", `address ${await hash(page)}`);
  const nav = await itemRect(page, "Nav Contacts"), table = await itemRect(page, "Table");
  assert(nav.x < table.x && nav.y < table.y + 40, `the sidebar is left of the table: ${JSON.stringify({ nav, table })}`);
  await screenshot(page, "screens-empty-contacts");
  await click(page, "Nav Companies");
  await waitForState(page, (s) => s.route === "#/companies" && s.table.type === "company", "the companies screen");
  assert((await hash(page)) === "#/companies", "navigation changes the address");

  step("a company is created through the form, with a refused domain shown beside its field first");
  await createRecord(page, { name: "Analytical Engines", domain: "not a domain" });
  await page.waitForFunction(() => window.crm.itemRect("New domain error") !== null, null, { timeout: 5000 });
  const domainField = await itemRect(page, "New domain"), domainError = await itemRect(page, "New domain error");
  assert(domainError.x >= domainField.x + domainField.w - 1 && Math.abs(domainError.y - domainField.y) < domainField.h,
         `the error sits beside the field: ${JSON.stringify({ domainField, domainError })}`);
  let s = await state(page);
  assert(s.counts.company === 0, "nothing stored while a field is refused");
  await screenshot(page, "screens-create-company-error");
  await fill(page, "New domain", "engines.example.co.uk");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.record && x.record.type === "company" && x.record.title === "Analytical Engines",
                         "the new company's page");
  const companyId = s.record.id;
  assert((await hash(page)) === `#/company/${companyId}`, "the record page has its own address");

  step("a contact is created with its company picked by typing part of its name");
  await click(page, "Nav Contacts");
  await createRecord(page, { email: "ada@example.com" });
  await page.waitForFunction(() => window.crm.itemRect("New name error") !== null, null, { timeout: 5000 });
  s = await state(page);
  assert(s.table.createErrors.name && s.counts.contact === 0, `a contact without a name is refused: ${JSON.stringify(s.table.createErrors)}`);
  await fill(page, "New name", "Ada Lovelace");
  await fill(page, "New company_id", "analyt");
  await clickSettled(page, "Pick Analytical Engines");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.record && x.record.title === "Ada Lovelace", "the new contact's page");
  const adaId = s.record.id;
  assert(s.record.values.company_id === companyId, "the picked company is linked");
  assert(s.record.related.Company === 1, `the company shows among related records: ${JSON.stringify(s.record.related)}`);

  step("a field is edited in place and saved with Enter");
  await fill(page, "Field job_title", "Analyst");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record.values.job_title === "Analyst", "the job title saved");
  assert(s.record.timeline.some((e) => e.kind === "field" && e.field === "job_title"), "the change is on the timeline");

  step("an invalid value is refused beside the field and nothing is saved");
  await fill(page, "Field email", "ada@");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.crm.itemRect("Field email error") !== null, null, { timeout: 5000 });
  const emailField = await itemRect(page, "Field email"), emailError = await itemRect(page, "Field email error");
  assert(emailError.x >= emailField.x + emailField.w - 1 && Math.abs(emailError.y - emailField.y) < emailField.h,
         `the error sits beside the field: ${JSON.stringify({ emailField, emailError })}`);
  s = await state(page);
  assert(s.record.values.email === "ada@example.com" && /email/.test(s.record.errors.email || ""),
         `the stored email is unchanged and the domain's message shows: ${JSON.stringify(s.record.errors)}`);
  await screenshot(page, "screens-record-invalid-email");
  await fill(page, "Field email", "ada.lovelace@example.com");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.record.values.email === "ada.lovelace@example.com" && !x.record.errors.email, "the fixed email");

  step("a note and a call are logged from the timeline: a button, then typing and Enter");
  await click(page, "Log note");
  await waitForState(page, (x) => x.typing && x.record.draft === "note", "the note's text field to take the keyboard");
  await page.keyboard.type("Met at the Difference Engine demo", { delay: 5 });
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.record.timeline[0].activity === "note" && x.record.timeline[0].text === "Met at the Difference Engine demo",
                     "the note at the top of the timeline");
  await click(page, "Log call");
  await waitForState(page, (x) => x.typing && x.record.draft === "call", "the call's text field to take the keyboard");
  await page.keyboard.type("Discussed the analytical engine order", { delay: 5 });
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record.timeline[0].activity === "call", "the call at the top of the timeline");
  assert(s.record.timeline[1].activity === "note", "newest first: the call, then the note");
  await screenshot(page, "screens-record-timeline");

  step("a related record's link opens its page; Back returns");
  await click(page, "Related Analytical Engines");
  s = await waitForState(page, (x) => x.record && x.record.id === companyId, "the company's page");
  assert((await hash(page)) === `#/company/${companyId}`, "the address follows the link");
  assert(s.record.related.Contacts === 1, `the company lists its contact: ${JSON.stringify(s.record.related)}`);
  assert(s.record.timeline.some((e) => e.activity === "call"), "the contact's call shows on the company's timeline too");
  await screenshot(page, "screens-company-page");
  await page.goBack();
  await waitForState(page, (x) => x.record && x.record.id === adaId, "Back to the contact's page");
  assert((await hash(page)) === `#/contact/${adaId}`, "Back restores the address");
  await page.goForward();
  await waitForState(page, (x) => x.record && x.record.id === companyId, "Forward to the company again");

  step("an address typed into the address bar opens that screen");
  await page.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, adaId);
  await waitForState(page, (x) => x.record && x.record.id === adaId, "the contact from the address");

  step("a deal is created with an amount typed as people write it, and Ada is added to it");
  await click(page, "Nav Deals");
  await createRecord(page, { name: "Engine order", amount: "12,500.50", currency: "GBP" },
                     { picks: { company_id: { type: "engines", pick: "Analytical Engines" } } });
  s = await waitForState(page, (x) => x.record && x.record.type === "deal" && x.record.title === "Engine order", "the deal's page");
  assert(s.record.values.amount === 12500.5 && s.record.values.currency === "GBP", `the amount: ${JSON.stringify(s.record.values)}`);
  assert(s.record.values.stage_id !== "", "the deal starts in the default pipeline's first stage");
  const dealId = s.record.id;
  await fill(page, "Add contact", "lovelace");
  await clickSettled(page, "Pick Ada Lovelace");
  s = await waitForState(page, (x) => x.record.related.Contacts === 1, "Ada among the deal's contacts");
  await screenshot(page, "screens-deal-page");
  await click(page, "Related Ada Lovelace");
  s = await waitForState(page, (x) => x.record && x.record.id === adaId, "Ada's page from the deal");
  assert(s.record.related.Deals === 1, `the deal among Ada's deals: ${JSON.stringify(s.record.related)}`);
  await click(page, "Nav Deals");
  s = await waitForState(page, (x) => x.table && x.table.type === "deal" && x.table.total === 1, "the deals table");
  await screenshot(page, "screens-deals-table");
  void dealId;

  assertNoConsoleErrors(page);
});
