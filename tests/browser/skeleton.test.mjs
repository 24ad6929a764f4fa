// The walking skeleton in a real browser: the canvas fills the window at device resolution, a
// contact typed into the new-contact form is saved and listed, survives a reload, reaches the
// server, and shows in a second browser profile after a sync. Invalid input is refused beside
// the field, and nothing is stored.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForApp, waitForState } from "./lib.mjs";

// The form opens as a popup: its fields are reported from the frame it is first drawn.
async function openNewContactForm(page) {
  await click(page, "Nav Contacts");
  await click(page, "New record");
  await itemRect(page, "Create form");
  await page.waitForTimeout(100);
}

await runTest("browser skeleton", async ({ defer, step }) => {
  const data = tempDir("crm-skel-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  const page = await openPage(browser, server.url);
  step("the canvas fills the window and renders at device pixel ratio 2");
  const canvas = await page.evaluate(() => {
    const c = document.getElementById("canvas");
    return { w: c.width, h: c.height, cssW: c.clientWidth, cssH: c.clientHeight, dpr: devicePixelRatio };
  });
  assert(canvas.cssW === 1280 && canvas.cssH === 800, `canvas CSS size ${canvas.cssW}x${canvas.cssH}`);
  assert(canvas.w === 2560 && canvas.h === 1600, `canvas backing size ${canvas.w}x${canvas.h}`);
  await waitForState(page, (s) => s.sync === "synced", "first sync");
  await screenshot(page, "skeleton-empty");

  step("a contact without a name is refused beside the field, and nothing is stored");
  await openNewContactForm(page);
  await fill(page, "New email", "nobody@example.com");
  await click(page, "Create save");
  await page.waitForFunction(() => window.crm.itemRect("New name error") !== null, null, { timeout: 5000 });
  let s = await state(page);
  assert(s.contacts === 0 && s.unpushed === 0, `nothing stored after a refused save: ${JSON.stringify(s)}`);

  step("an invalid email is refused beside the field");
  await fill(page, "New name", "Bob");
  await fill(page, "New email", "bob@");
  await click(page, "Create save");
  await page.waitForFunction(() => window.crm.itemRect("New email error") !== null, null, { timeout: 5000 });
  const nameError = await page.evaluate(() => window.crm.itemRect("New name error"));
  const emailError = await page.evaluate(() => window.crm.itemRect("New email error"));
  const emailField = await page.evaluate(() => window.crm.itemRect("New email"));
  assert(nameError === null, "the name error went away once a name was typed");
  assert(Math.abs(emailError.y - emailField.y) < emailField.h && emailError.x > emailField.x + emailField.w - 1,
         `the email error sits beside the field: ${JSON.stringify({ emailError, emailField })}`);
  s = await state(page);
  assert(s.contacts === 0, "nothing stored after an invalid email");
  await screenshot(page, "skeleton-invalid-email");

  step("a valid contact is saved, listed and pushed");
  await fill(page, "New name", "Ada Lovelace");
  await fill(page, "New email", "ada@example.com");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.contacts === 1 && x.record && x.record.title === "Ada Lovelace", "the contact's page");
  await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced" && x.persisted, "the push and the local save");
  await click(page, "Nav Contacts");
  await waitForState(page, (x) => x.table && x.table.visibleTitles.includes("Ada Lovelace"), "the contact listed");
  await screenshot(page, "skeleton-saved");

  step("the contact survives a reload of the tab");
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (x) => x.contacts === 1 && x.table && x.table.visibleTitles.includes("Ada Lovelace"),
                     "the contact after reload");

  step("a second browser profile of the same account sees the contact after a sync");
  const second = await openPage(browser, server.url, { account: page.account });
  await waitForState(second, (x) => x.contacts === 1 && x.sync === "synced", "the contact in the second profile");
  await waitForState(second, (x) => x.table && x.table.visibleTitles.includes("Ada Lovelace"), "listed in the second profile");
  await screenshot(second, "skeleton-second-profile");

  step("a contact created in the second profile reaches the first");
  await openNewContactForm(second);
  await fill(second, "New name", "Grace Hopper");
  await click(second, "Create save");
  await waitForState(page, (x) => x.contacts === 2, "the second profile's contact in the first", 20000);
  await waitForState(page, (x) => x.table && x.table.visibleTitles.includes("Grace Hopper"), "listed in the first profile");

  assertNoConsoleErrors(page);
  assertNoConsoleErrors(second);
});
