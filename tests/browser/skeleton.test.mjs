// The walking skeleton in a real browser: the canvas fills the window at device resolution,
// a contact typed in and saved is listed, survives a reload, reaches the server, and shows in a
// second browser profile after a sync. Invalid input is refused beside the field.
import { assert, assertNoConsoleErrors, click, fill, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForApp, waitForState } from "./lib.mjs";

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

  step("a contact without a name is refused beside the field, and nothing is stored");
  await fill(page, "Email", "nobody@example.com");
  await click(page, "Save");
  await page.waitForFunction(() => window.crm.itemRect("Name error") !== null, null, { timeout: 5000 });
  let s = await state(page);
  assert(s.contacts === 0 && s.unpushed === 0, `nothing stored after a refused save: ${JSON.stringify(s)}`);

  step("an invalid email is refused beside the field");
  await fill(page, "Name", "Bob");
  await fill(page, "Email", "bob@");
  await click(page, "Save");
  await page.waitForFunction(() => window.crm.itemRect("Email error") !== null, null, { timeout: 5000 });
  const nameError = await page.evaluate(() => window.crm.itemRect("Name error"));
  const emailError = await page.evaluate(() => window.crm.itemRect("Email error"));
  const emailField = await page.evaluate(() => window.crm.itemRect("Email"));
  assert(nameError === null, "the name error went away once a name was typed");
  assert(Math.abs(emailError.y - emailField.y) < emailField.h && emailError.x > emailField.x + emailField.w - 1,
         `the email error sits beside the field: ${JSON.stringify({ emailError, emailField })}`);
  s = await state(page);
  assert(s.contacts === 0, "nothing stored after an invalid email");
  await screenshot(page, "skeleton-invalid-email");

  step("a valid contact is saved, listed and pushed");
  await fill(page, "Name", "Ada Lovelace");
  await fill(page, "Email", "ada@example.com");
  await click(page, "Save");
  await waitForState(page, (x) => x.contacts === 1, "the contact to be listed");
  await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced" && x.persisted, "the push and the local save");
  const pulled = await (await fetch(new URL("api/v1/pull", server.url))).json();
  const names = pulled.changes.filter((c) => c.field === "name").map((c) => c.value);
  assert(names.includes("Ada Lovelace"), `the server has the contact: ${JSON.stringify(names)}`);
  await screenshot(page, "skeleton-saved");

  step("the contact survives a reload of the tab");
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (x) => x.contacts === 1, "the contact after reload");

  step("a second browser profile sees the contact after a sync");
  const second = await openPage(browser, server.url);
  await waitForState(second, (x) => x.contacts === 1 && x.sync === "synced", "the contact in the second profile");
  await screenshot(second, "skeleton-second-profile");

  step("a contact created in the second profile reaches the first");
  await fill(second, "Name", "Grace Hopper");
  await click(second, "Save");
  await waitForState(page, (x) => x.contacts === 2, "the second profile's contact in the first", 20000);

  assertNoConsoleErrors(page);
  assertNoConsoleErrors(second);
});
