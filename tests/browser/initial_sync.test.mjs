// A new device's first sync: it starts from the server's copy of the workspace (one SQLite file)
// instead of replaying the whole change log, then goes on as a replica of its own: its edits
// reach the other devices, theirs reach it, and everything survives a reload.
import { assert, assertNoConsoleErrors, click, launchBrowser, openPage, removeDir, runTest, screenshot, startServer,
         tempDir, waitForApp, waitForState } from "./lib.mjs";
import { createRecord, pushRecords, sessionOf } from "./screens_lib.mjs";

const SEEDED = 2000;

await runTest("browser initial sync", async ({ defer, step }) => {
  const data = tempDir("crm-initial-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step(`a workspace with ${SEEDED} contacts pushed by another client and one made in the app`);
  const first = await openPage(browser, server.url, { deviceScaleFactor: 1 });
  const session = await sessionOf(first);
  await pushRecords(server.url, session.token, "contact",
                    Array.from({ length: SEEDED }, (_, i) => ({ name: `Seeded Person ${i}`, email: `seeded.${i}@example.com` })));
  await click(first, "Nav Contacts");
  await createRecord(first, { name: "Made In The App" });
  await waitForState(first, (s) => s.unpushed === 0 && s.sync === "synced", "the first device's contact to reach the server", 60000);

  step("a second device signs in to the same account and downloads the workspace");
  const t0 = Date.now();
  const second = await openPage(browser, server.url, { deviceScaleFactor: 1, account: first.account });
  const synced = await waitForState(second, (s) => s.sync === "synced" && s.contacts === SEEDED + 1 && s.cursor >= s.latest,
                                    "every contact on the second device", 120000);
  console.log(`  second device synced ${SEEDED + 1} contacts in ${((Date.now() - t0) / 1000).toFixed(1)} s (sign-in included)`);
  assert(synced.adoptedSnapshot, "the second device started from the server's copy, not the whole log");
  assert(synced.snapshot.checksum === "matched",
         `the copy's bytes matched the server's SHA-256 (so the page-by-page check was skipped): ${synced.snapshot.checksum}`);
  await click(second, "Nav Contacts");
  await waitForState(second, (s) => s.table && s.table.total === SEEDED + 1, "the contacts table lists them all");
  await screenshot(second, "initial-sync-second-device");

  step("the second device is a replica of its own: its edit reaches the first, and the first's reaches it");
  await createRecord(second, { name: "Made On The Second Device" });
  await waitForState(second, (s) => s.unpushed === 0 && s.sync === "synced", "the second device's contact to be sent", 60000);
  await waitForState(first, (s) => s.contacts === SEEDED + 2, "the first device to receive it", 60000);
  await click(first, "Nav Contacts");
  await createRecord(first, { name: "Made Later On The First" });
  await waitForState(second, (s) => s.contacts === SEEDED + 3, "the second device to receive the later contact", 60000);

  step("a reload keeps the downloaded workspace and does not download it again");
  await second.reload();
  await waitForApp(second);
  const after = await waitForState(second, (s) => s.signedIn && s.contacts === SEEDED + 3 && s.sync === "synced",
                                   "the stored workspace after a reload", 60000);
  assert(!after.adoptedSnapshot, "a device that has synced merges changes; it never replaces its database again");
  assertNoConsoleErrors(first);
  assertNoConsoleErrors(second);
});
