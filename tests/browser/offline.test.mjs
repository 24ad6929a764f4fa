// Offline first: with the server stopped, the app still opens from the service worker's cache,
// lists and creates contacts, and pushes what it created once the server is back.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, tempDir, waitForApp, waitForState } from "./lib.mjs";

async function createContact(page, name, email) {
  await click(page, "Nav Contacts");
  await click(page, "New record");
  await itemRect(page, "Create form");
  await page.waitForTimeout(100);
  await fill(page, "New name", name);
  if (email) await fill(page, "New email", email);
  await click(page, "Create save");
  await waitForState(page, (s) => s.record && s.record.title === name, `${name}'s page`);
}

// What the server holds for this page's workspace, read with the page's own session.
async function serverNames(page, url) {
  const session = JSON.parse(await page.evaluate(() => localStorage.getItem("crm.session")));
  const r = await fetch(new URL("api/v1/pull?after=0&limit=1000", url), { headers: { Authorization: `Bearer ${session.token}` } });
  assert(r.ok, `pull answered ${r.status}`);
  return (await r.json()).changes.filter((c) => c.field === "name").map((c) => c.value);
}

await runTest("browser offline", async ({ defer, step }) => {
  const data = tempDir("crm-offline-");
  defer(() => removeDir(data));
  let server = await startServer({ dataDir: data });
  const port = server.port;
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  const page = await openPage(browser, server.url);
  step("the service worker takes control and caches the app");
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
  await createContact(page, "Online Olga");
  await waitForState(page, (s) => s.contacts === 1 && s.unpushed === 0 && s.sync === "synced", "the first contact to sync");

  step("the server stops; the app reopens from the cache");
  // With the server down the browser logs each refused request; that is the point of this test.
  page.allowed = (text) => /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|Failed to load resource|Failed to fetch/.test(text);
  const stopStarted = Date.now();
  await server.stop();
  assert(Date.now() - stopStarted < 5000, "the server stops promptly even with a long-poll open");
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (s) => s.contacts === 1, "the stored contact while offline");
  await waitForState(page, (s) => s.sync === "offline", "the offline status");

  step("a contact created offline is listed and waits in the outbox");
  await createContact(page, "Offline Otto", "otto@example.com");
  const s = await waitForState(page, (x) => x.contacts === 2 && x.unpushed === 3 && x.persisted, "the offline contact");
  assert(s.syncStatus.includes("not yet sent"), `the status says changes wait: ${s.syncStatus}`);
  await click(page, "Nav Contacts");
  await waitForState(page, (x) => x.table && x.table.total === 2 && x.table.visibleTitles.includes("Offline Otto"), "both listed offline");
  await screenshot(page, "offline-unpushed");

  step("the server comes back and receives the offline contact");
  server = await startServer({ dataDir: data, port });
  await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced", "the push after reconnect", 30000);
  const names = await serverNames(page, server.url);
  assert(names.includes("Offline Otto"), `the server has the offline contact: ${JSON.stringify(names)}`);
  await screenshot(page, "offline-reconnected");
  assertNoConsoleErrors(page);
});
