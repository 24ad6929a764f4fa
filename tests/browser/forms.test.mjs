// What a new user met in the forms and around them, with real input: a multi-line paste into a
// one-line field keeps its words apart; Ctrl+A right after a click selects the field's text; an error goes once its value is changed; a contact's name
// comes from its first and last names; a refused in-place edit gives way to the stored value on
// Esc and on leaving the page; a new deal shows the pipeline and stage it gets; a new case takes
// its contact's company, and the pick list lies over the form instead of shifting it; counts read "1 deal", "1 open task"; a yes/no field kind reads "Yes/No";
// an invite shows at once with a link that opens the sign-in screen with the code filled in; the
// offline counter counts edits, and a network that comes back is used at once.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot, startServer,
         state, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { clickSettled, pushRecords, scrollTo, sessionOf, settledRect } from "./screens_lib.mjs";

async function paste(page, text) {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

async function openForm(page) {
  await click(page, "New record");
  await settledRect(page, "Create form");
}

await runTest("browser forms", async ({ defer, step }) => {
  const data = tempDir("crm-forms-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);
  defer(async () => { if (process.exitCode) await screenshot(page, "forms-failure"); });
  await waitForState(page, (x) => x.route === "#/contacts" && x.table && x.sync === "synced", "the contacts screen");
  const { token } = await sessionOf(page);

  step("a two-line paste into the one-line Name field keeps the lines apart with a space");
  await openForm(page);
  await click(page, "New name");
  await paste(page, "Müller\nGlobex\n");
  let s = await waitForState(page, (x) => x.table.createTexts.name, "the pasted name");
  assert(s.table.createTexts.name === "Müller Globex", `pasted as one line: '${s.table.createTexts.name}'`);

  step("Ctrl+A right after clicking into the field selects its text, even when the whole chord comes between two frames");
  const nameRect = await itemRect(page, "New name");
  await page.mouse.click(nameRect.x + nameRect.w / 2, nameRect.y + nameRect.h / 2);
  await page.evaluate(() => {
    const key = (type, k, ctrl) => window.dispatchEvent(new KeyboardEvent(type, { key: k, code: k === "a" ? "KeyA" : "ControlLeft",
                                                                                 ctrlKey: ctrl, bubbles: true, cancelable: true }));
    key("keydown", "Control", true);
    key("keydown", "a", true);
    key("keyup", "a", true);
    key("keyup", "Control", false);
  });
  await page.keyboard.type("Zoe", { delay: 5 });
  s = await waitForState(page, (x) => x.table.createTexts.name && x.table.createTexts.name.endsWith("Zoe"), "the typed name");
  assert(s.table.createTexts.name === "Zoe", `Ctrl+A selected everything before typing: '${s.table.createTexts.name}'`);

  step("first and last name make the Name; an error goes as soon as its value is edited");
  await fill(page, "New name", "");
  await fill(page, "New first_name", "Ada");
  await fill(page, "New last_name", "Lovelace");
  await fill(page, "New email", "ada@");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.table.createErrors.email, "the email refused");
  assert(!s.table.createErrors.name, `no Name error when first and last name are there: ${JSON.stringify(s.table.createErrors)}`);
  await screenshot(page, "forms-refused-email");
  await click(page, "New email");
  await page.keyboard.press("End");
  await page.keyboard.type("example.com", { delay: 5 });
  s = await waitForState(page, (x) => !x.table.createErrors.email, "the email error gone once the value changed");
  assert(s.table.createOpen, "the form is still open (nothing saved yet)");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.record && x.record.title === "Ada Lovelace", "the new contact's page, named");

  step("a refused in-place edit: Esc puts the stored value back");
  await fill(page, "Field email", "not an email");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record.errors.email, "the in-place edit refused");
  assert(s.record.texts.email === "not an email", `the refused text stays for fixing: ${s.record.texts.email}`);
  await click(page, "Field email");
  await page.keyboard.press("Escape");
  s = await waitForState(page, (x) => x.record.texts.email === "ada@example.com", "Esc restores the stored email");
  assert(!s.record.errors.email, `no error left beside the restored value: ${s.record.errors.email}`);

  step("a refused in-place edit: leaving the page and coming back shows the stored value");
  await fill(page, "Field email", "still not");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.record.errors.email, "refused again");
  await click(page, "Nav Contacts");
  await waitForState(page, (x) => x.route === "#/contacts" && x.table.visibleTitles.includes("Ada Lovelace"), "the table");
  await click(page, "Open Ada Lovelace");
  // (The first state after the click can predate the page's first frame: wait for the page.)
  await waitForState(page, (x) => x.record && x.record.title === "Ada Lovelace" &&
                                  x.record.texts.email === "ada@example.com" && !x.record.errors.email,
                     "Ada's page again, showing the stored email and no error");

  step("a new deal shows the pipeline and stage it will get");
  await click(page, "Nav Deals");
  await waitForState(page, (x) => x.route === "#/deals", "the deals screen");
  await openForm(page);
  s = await waitForState(page, (x) => x.table.createTexts.pipeline_id && x.table.createTexts.stage_id, "the defaults shown");
  await screenshot(page, "forms-new-deal");
  await fill(page, "New name", "Globex expansion");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.record && x.record.title === "Globex expansion", "the deal saved");
  const shown = (await state(page));
  assert(s.record.values.stage_id && s.record.values.pipeline_id, "the deal has a pipeline and stage");

  step("a new case takes the company of the contact it is about");
  const [globex] = await pushRecords(server.url, token, "company", [{ name: "Globex Corporation" }]);
  await pushRecords(server.url, token, "contact", [{ name: "Hank Scorpio", company_id: globex }]);
  await click(page, "Nav Cases");
  await waitForState(page, (x) => x.route === "#/cases" && x.sync === "synced", "the cases screen");
  await waitForState(page, (x) => x.dataVersion > shown.dataVersion, "the pushed records to arrive", 20000);
  await openForm(page);
  await fill(page, "New subject", "Doomsday device jammed");
  await scrollTo(page, "New contact_id", "Create form");
  await fill(page, "New contact_id", "Hank");
  await settledRect(page, "Pick Hank Scorpio");
  const companyWhileOpen = await itemRect(page, "New company_id");
  await clickSettled(page, "Pick Hank Scorpio");
  s = await waitForState(page, (x) => x.table.createTexts.company_id === globex, "the contact's company filled in");
  const companyAfter = await settledRect(page, "New company_id");
  assert(companyAfter.y === companyWhileOpen.y,
         `the field below does not move when the pick list closes: y ${companyWhileOpen.y} -> ${companyAfter.y}`);
  await screenshot(page, "forms-new-case");
  await click(page, "Create cancel");

  step("counts agree with their number: 1 deal, 1 open task");
  await pushRecords(server.url, token, "activity", [{ kind: "task", subject: "Call Hank back", priority: "normal", done: false }]);
  await click(page, "Nav Pipeline");
  s = await waitForState(page, (x) => x.board && x.board.deals === 1, "the board with one deal");
  assert(s.board.countText === "1 deal", `board count: '${s.board.countText}'`);
  await click(page, "Nav My work");
  s = await waitForState(page, (x) => x.work && x.work.groups.some((g) => g.total === 1), "one open task");
  assert(s.work.countText === "1 open task", `my work count: '${s.work.countText}'`);

  step("a yes/no custom field's kind reads Yes/No");
  await pushRecords(server.url, token, "field_def", [{ record_type: "contact", key: "vip", label: "VIP", kind: "yes_no", position: 1 }]);
  await click(page, "Nav Settings");
  s = await waitForState(page, (x) => x.settings && x.settings.fields.some((f) => f.key === "vip"), "the field in Settings", 20000);
  const vip = s.settings.fields.find((f) => f.key === "vip");
  assert(vip.kindText === "Yes/No", `kind shown: '${vip.kindText}'`);

  step("an invite shows at once in the account menu, with a link that fills in the code");
  await click(page, "Account menu");
  await clickSettled(page, "Invite a colleague");
  s = await waitForState(page, (x) => x.invite.code, "the invite code");
  await settledRect(page, "Invite code");  // in the menu still open, without opening it again
  await settledRect(page, "Copy invite link");
  await screenshot(page, "forms-invite");
  const link = s.invite.link;
  assert(link.startsWith(server.url) && link.endsWith(s.invite.code), `the link: ${link}`);
  // A click outside closes the menu (ImGui menus take no Esc).
  await click(page, "Sync status");
  await page.waitForFunction(() => window.crm.itemRect("Invite code") === null, null, { timeout: 10000 });
  const guest = await openPage(browser, link, { account: null });
  s = await waitForState(guest, (x) => x.invite.signInMode === "join" && x.invite.signInCode === s.invite.code,
                         "the sign-in screen joining with the code");
  await screenshot(guest, "forms-invite-link");
  assertNoConsoleErrors(guest);
  await guest.context().close();

  step("offline: the counter counts edits, and the browser's online event syncs at once");
  page.allowed = (text) => /ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch|ERR_NETWORK_CHANGED/.test(text);
  await click(page, "Nav Contacts");
  await waitForState(page, (x) => x.route === "#/contacts" && x.table.visibleTitles.includes("Ada Lovelace"), "the table");
  await page.context().setOffline(true);
  await click(page, "Open Ada Lovelace");
  await waitForState(page, (x) => x.record && x.record.title === "Ada Lovelace", "Ada's page");
  await fill(page, "Field job_title", "Analyst");
  await page.keyboard.press("Enter");
  await click(page, "Nav Contacts");
  await openForm(page);
  await fill(page, "New name", "Offline Otto");
  await fill(page, "New email", "otto@example.com");
  await click(page, "Create save");
  s = await waitForState(page, (x) => x.unsentEdits === 2 && x.sync === "offline", "two edits waiting, offline", 30000);
  assert(s.unpushed > 2, `several field changes behind them: ${s.unpushed}`);
  assert(s.syncStatus.includes("2 changes not yet sent"), `the status counts edits: ${s.syncStatus}`);
  await screenshot(page, "forms-offline");
  // Back-off grows with each failed attempt: wait until the next one is several seconds away.
  s = await waitForState(page, (x) => x.sync === "offline" && x.nextAttemptMs - x.nowMs > 5000, "a retry 5 s away", 60000);
  const scheduled = s.nextAttemptMs;
  await page.context().setOffline(false);
  s = await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced", "the push once back online", 30000);
  assert(s.nowMs < scheduled, `synced ${scheduled - s.nowMs} ms before the retry that was scheduled: the online event was used`);
  assertNoConsoleErrors(page);
});
