// Offline first: with the server stopped, the app still opens from the service worker's cache,
// lists and creates contacts, and pushes what it created once the server is back.
import { assert, assertNoConsoleErrors, click, fill, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, tempDir, waitForApp, waitForState } from "./lib.mjs";

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
  await fill(page, "Name", "Online Olga");
  await click(page, "Save");
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
  await fill(page, "Name", "Offline Otto");
  await fill(page, "Email", "otto@example.com");
  await click(page, "Save");
  const s = await waitForState(page, (x) => x.contacts === 2 && x.unpushed === 3 && x.persisted, "the offline contact");
  assert(s.syncStatus.includes("not yet sent"), `the status says changes wait: ${s.syncStatus}`);
  await screenshot(page, "offline-unpushed");

  step("the server comes back and receives the offline contact");
  server = await startServer({ dataDir: data, port });
  await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced", "the push after reconnect", 30000);
  const pulled = await (await fetch(new URL("api/v1/pull", server.url))).json();
  const names = pulled.changes.filter((c) => c.field === "name").map((c) => c.value);
  assert(names.includes("Offline Otto"), `the server has the offline contact: ${JSON.stringify(names)}`);
  await screenshot(page, "offline-reconnected");
  assertNoConsoleErrors(page);
});
