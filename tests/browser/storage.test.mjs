// The local database's storage: chunk-level saves to IndexedDB (client/storage.js and
// client/storage_web.cpp). An edit survives a reload and a browser restart; a save writes a few
// chunks however large the database is; two tabs never both write, and the workspace moves
// between them on request; a damaged local copy is reported and can be downloaded afresh; a full
// disk is reported and the save retried; a copy kept by the earlier storage (IDBFS) is carried
// over, and one stored in the earlier 4 KiB chunks is converted to 64 KiB chunks.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import * as lib from "./lib.mjs";
import { corruptImage, databaseNames, storedLayout, writeImage, writeLegacyImage, CHUNK, LEGACY_CHUNK }
  from "./storage_image.mjs";

const { assert, assertNoConsoleErrors, click, fill, launchBrowser, openPage, removeDir, runTest, screenshot,
        startServer, state, tempDir, waitForApp, waitForState, CHROMIUM_ARGS } = lib;

// A generated workspace of companies and contacts (nothing else), made by crm-admin.
function generateWorkspace(dbFile, { seed, companies, contacts }) {
  execFileSync(join(dirname(lib.env("CRM_SERVER_BINARY")), "crm-admin"),
               ["generate", "--db", dbFile, "--seed", String(seed), "--companies", String(companies),
                "--contacts", String(contacts), "--deals", "0", "--activities", "0", "--cases", "0", "--leads", "0"],
               { stdio: "ignore" });
}

// The one place these tests touch the app's screens: a new contact through its form.
async function addContact(page, name) {
  await click(page, "Nav Contacts");
  await click(page, "New record");
  await lib.itemRect(page, "Create form");
  await page.waitForTimeout(100);  // the popup's fields are reported from the frame it is first drawn
  await fill(page, "New name", name);
  await click(page, "Create save");
}

// Signs in when the app asks (lib.mjs does so where the app has accounts), once the workspace
// is loaded: a session kept in this profile is restored then.
async function signIn(page) {
  await waitForStorage(page, "ready");
  await page.waitForFunction((f) => window.crm.state().frame > f + 2, (await state(page)).frame);
  if (lib.signInIfAsked) await lib.signInIfAsked(page, "new");
}

// Collects console errors and uncaught exceptions like openPage does, for pages it did not open.
function watch(page) {
  page.consoleErrors = [];
  page.allowed = () => false;
  page.on("console", (msg) => {
    if (msg.type() === "error" && !page.allowed(msg.text())) page.consoleErrors.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.consoleErrors.push(`page error: ${err.message}`));
  return page;
}

async function openTab(context, url) {
  const page = watch(await context.newPage());
  await page.goto(url);
  await waitForApp(page);
  return page;
}

const storageState = (page) => page.evaluate(() => Module.crmStorage.state("crm.db"));
const stats = (page) => page.evaluate(() => JSON.parse(JSON.stringify(Module.crmStorageStats)));

async function waitForStorage(page, wanted, timeout = 15000) {
  await page.waitForFunction((w) => window.Module && Module.crmStorage && Module.crmStorage.state("crm.db") === w,
                             wanted, { timeout });
}

async function waitForSavedAndSynced(page, contacts) {
  return waitForState(page, (s) => s.contacts === contacts && s.persisted && s.unpushed === 0 && s.sync === "synced",
                      `${contacts} contacts saved locally and synced`, 20000);
}

await runTest("browser storage: an edit survives a reload and a browser restart", async ({ defer, step }) => {
  const data = tempDir("crm-storage-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const profile = tempDir("crm-storage-profile-");
  defer(() => removeDir(profile));
  const launch = () => chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });

  let context = await launch();
  let page = await openTab(context, server.url);
  await signIn(page);
  step("a contact is saved: its commit reaches IndexedDB as one write of a few chunks");
  const before = await stats(page);
  await addContact(page, "Durable Dora");
  await waitForSavedAndSynced(page, 1);
  const after = await stats(page);
  assert(after.durableCommits === after.commits, `every commit is durable: ${JSON.stringify(after)}`);
  assert(after.commits > before.commits, "the save committed");
  const slowest = Math.max(...after.recent.slice(-(after.transactions - before.transactions)).map((t) => t.ms));
  step(`the slowest IndexedDB write since the save took ${slowest.toFixed(0)} ms from commit to durable`);

  step("the contact survives a reload");
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (s) => s.contacts === 1, "the contact after the reload");
  const reloaded = await stats(page);
  assert(reloaded.loadedBytes > 0, `the image was read from IndexedDB: ${JSON.stringify(reloaded)}`);
  assert(reloaded.commits === 0, `opening the database wrote nothing: ${reloaded.commits} commits`);
  assertNoConsoleErrors(page);
  await context.close();

  step("the contact survives closing the browser and starting it again on the same profile");
  context = await launch();
  defer(() => context.close());
  page = await openTab(context, server.url);
  await signIn(page);
  await waitForState(page, (s) => s.contacts === 1, "the contact after a browser restart");
  await screenshot(page, "storage-after-restart");
  assertNoConsoleErrors(page);
});

await runTest("browser storage: a workspace kept by the earlier storage (IDBFS) is carried over", async ({ defer, step }) => {
  const data = tempDir("crm-storage-legacy-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step("a database file is left in IDBFS, where the previous version kept it");
  const dbFile = join(data, "legacy.db");
  generateWorkspace(dbFile, { seed: 5, companies: 1, contacts: 3 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await writeLegacyImage(context, server.url, "crm.db", readFileSync(dbFile));

  step("the app opens it, and the old copy is gone once the new one is written");
  const page = await openTab(context, server.url);
  await signIn(page);
  await waitForState(page, (s) => s.contacts === 3 && s.persisted, "the three contacts from the old storage");
  await page.close();
  const names = await databaseNames(context, server.url);
  assert(!names.includes("/data") && names.includes("crm-storage"), `the IDBFS database was removed: ${names}`);
  const layout = await storedLayout(context, server.url, "crm.db");
  assert(layout.record.chunk === CHUNK && layout.lengths.every((n) => n === CHUNK),
         `moved over in ${CHUNK}-byte chunks: ${JSON.stringify(layout.record)}, ${layout.lengths.length} chunks`);
  assertNoConsoleErrors(page);
});

await runTest("browser storage: a workspace stored in the earlier 4 KiB chunks is converted to 64 KiB chunks", async ({ defer, step }) => {
  const data = tempDir("crm-storage-chunks-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step("a database is left in IndexedDB as 4 KiB chunks, its files record naming no chunk size");
  const dbFile = join(data, "chunks.db");
  generateWorkspace(dbFile, { seed: 11, companies: 40, contacts: 300 });
  const image = readFileSync(dbFile);
  const newChunks = Math.ceil(image.length / CHUNK);
  assert(newChunks >= 3 && image.length % CHUNK !== 0,
         `the database spans several 64 KiB chunks and ends inside one: ${image.length} bytes`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await writeImage(context, server.url, "crm.db", image, { chunk: LEGACY_CHUNK });
  const old = await storedLayout(context, server.url, "crm.db");
  assert(old.record.chunk === undefined && old.indices.length === image.length / LEGACY_CHUNK,
         `stored the old way: ${JSON.stringify(old.record)}, ${old.indices.length} chunks`);

  step("the app opens it with every record, and writes it again in 64 KiB chunks");
  let page = await openTab(context, server.url);
  await signIn(page);
  await waitForState(page, (s) => s.contacts === 300 && s.persisted, "the 300 contacts from the 4 KiB chunks", 30000);
  const opened = await stats(page);
  assert(opened.loadedBytes === image.length, `the whole file was read: ${opened.loadedBytes} of ${image.length}`);
  assert(opened.converted === 1, `converted once: ${JSON.stringify(opened)}`);
  await click(page, "Nav Contacts");
  await page.waitForTimeout(300);
  await screenshot(page, "storage-converted-from-4k-chunks");
  assertNoConsoleErrors(page);
  await page.close();

  const layout = await storedLayout(context, server.url, "crm.db");
  assert(layout.record.chunk === CHUNK, `the files record names the new chunk size: ${JSON.stringify(layout.record)}`);
  const expected = Math.ceil(layout.record.size / CHUNK);
  assert(layout.indices.length === expected && layout.indices.every((index, i) => index === i),
         `chunks 0 to ${expected - 1} and no old 4 KiB ones: ${layout.indices.length} keys, last ${layout.indices.at(-1)}`);
  assert(layout.lengths.every((n) => n === CHUNK), `every chunk is ${CHUNK} bytes: ${[...new Set(layout.lengths)]}`);
  step(`stored as ${layout.indices.length} chunks of 64 KiB instead of ${old.indices.length} of 4 KiB`);

  step("after a reload everything is still there, and nothing is converted again");
  page = await openTab(context, server.url);
  await signIn(page);
  await waitForState(page, (s) => s.contacts === 300 && s.persisted, "the 300 contacts after the reload", 30000);
  const reloaded = await stats(page);
  assert(reloaded.converted === 0 && reloaded.loadedBytes === layout.record.size,
         `read as stored, not converted: ${JSON.stringify(reloaded)}`);
  await addContact(page, "After The Conversion");
  await waitForState(page, (s) => s.contacts === 301 && s.persisted, "a new contact, saved");
  await screenshot(page, "storage-after-conversion-reload");
  assertNoConsoleErrors(page);
});

await runTest("browser storage: a save writes a few chunks however large the database is", async ({ defer, step }) => {
  const data = tempDir("crm-storage-cost-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step("a generated workspace of several MB is put in IndexedDB before the app starts");
  const dbFile = join(data, "generated.db");
  generateWorkspace(dbFile, { seed: 7, companies: 400, contacts: 2000 });
  const image = readFileSync(dbFile);
  assert(image.length > 4 * 1048576, `the generated database is several MB: ${image.length} bytes`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const first = await openTab(context, server.url);
  await signIn(first);
  await waitForState(first, (s) => s.persisted, "the first start to be saved");
  await first.close();
  // No sync from here on: every write counted is the app's own (the generated outbox is not sent).
  await context.route("**/api/**", (route) => route.abort());
  await writeImage(context, server.url, "crm.db", image);

  const page = await openTab(context, server.url);
  page.allowed = (text) => /Failed to load resource|ERR_FAILED/.test(text);
  await waitForState(page, (s) => s.contacts === 2000 && s.persisted, "the generated contacts", 60000);
  const opened = await stats(page);
  assert(opened.loadedBytes === image.length, `the whole image was loaded: ${opened.loadedBytes} of ${image.length}`);
  step(`loaded ${(image.length / 1048576).toFixed(1)} MB in ${opened.loadMs.toFixed(0)} ms, opened in ${opened.openMs.toFixed(0)} ms`);

  step("one new contact is saved");
  await addContact(page, "Small Edit");
  await waitForState(page, (s) => s.contacts === 2001 && s.persisted, "the new contact, saved");
  const saved = await stats(page);
  const chunks = saved.pagesWritten - opened.pagesWritten, bytes = saved.bytesWritten - opened.bytesWritten;
  step(`the save wrote ${chunks} chunks (${bytes / 1024} KiB) in ${saved.transactions - opened.transactions} IndexedDB transaction(s)`);
  assert(saved.commits - opened.commits === 1, `one commit: ${saved.commits - opened.commits}`);
  assert(chunks > 0 && chunks <= 24 && bytes === chunks * CHUNK && bytes < image.length / 3,
         `a few chunks, not the database: ${chunks} chunks, ${bytes} bytes of ${image.length}`);
  await screenshot(page, "storage-large-workspace");
  assertNoConsoleErrors(page);
});

await runTest("browser storage: two tabs never both write, and the workspace moves on request", async ({ defer, step }) => {
  const data = tempDir("crm-storage-tabs-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  const first = await openPage(browser, server.url);
  await addContact(first, "Tab One");
  await waitForSavedAndSynced(first, 1);

  step("a second tab on the same workspace says it is open in another tab");
  const second = await openTab(first.context(), server.url);
  await waitForStorage(second, "elsewhere");
  await lib.itemRect(second, "Use it here");
  assert((await state(second)).contacts === 0, "the second tab has not loaded the database");
  await screenshot(second, "storage-open-in-another-tab");

  step("'Use it here' moves the workspace: the first tab steps aside, the second loads it");
  await click(second, "Use it here");
  await waitForStorage(first, "moved");
  await lib.itemRect(first, "Take it back");
  await waitForStorage(second, "ready");
  await waitForState(second, (s) => s.contacts === 1, "the first tab's contact in the second tab");
  await screenshot(first, "storage-moved-to-another-tab");

  step("the first tab cannot write any more; an edit in the second tab is saved");
  await addContact(second, "Tab Two");
  await waitForSavedAndSynced(second, 2);
  await screenshot(second, "storage-second-tab-working");
  await second.reload();
  await waitForApp(second);
  await waitForState(second, (s) => s.contacts === 2, "both contacts after reloading the second tab");
  assert(await storageState(first) === "moved", "the first tab stays aside while the second reloads");

  step("'Take it back' in the first tab loads the latest saved state there");
  await click(first, "Take it back");
  await waitForStorage(first, "ready");
  await waitForState(first, (s) => s.contacts === 2, "the second tab's contact in the first tab");
  await waitForStorage(second, "moved");
  assertNoConsoleErrors(first);
  assertNoConsoleErrors(second);
});

await runTest("browser storage: a damaged local copy is reported and downloaded afresh", async ({ defer, step }) => {
  const data = tempDir("crm-storage-corrupt-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  const page = await openPage(browser, server.url);
  await addContact(page, "Kept On The Server");
  await waitForSavedAndSynced(page, 1);
  const context = page.context();
  await page.close();

  step("garbage is written over the stored pages before the app starts again");
  await corruptImage(context, server.url, "crm.db");
  const damaged = await openTab(context, server.url);
  await lib.itemRect(damaged, "Re-download from the server");
  const s = await state(damaged);
  assert(/damaged|cannot be read|not a database|malformed/.test(s.fatal), `the error says the copy is damaged: ${s.fatal}`);
  await screenshot(damaged, "storage-damaged");

  step("re-downloading deletes the local copy and syncs everything from the server");
  await click(damaged, "Re-download from the server");
  await waitForSavedAndSynced(damaged, 1);
  await screenshot(damaged, "storage-redownloaded");
  await damaged.reload();
  await waitForApp(damaged);
  await waitForState(damaged, (x) => x.contacts === 1 && x.fatal === "", "the fresh copy after a reload");
  assertNoConsoleErrors(damaged);
});

await runTest("browser storage: a full disk is reported, and the save retried", async ({ defer, step }) => {
  const data = tempDir("crm-storage-quota-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  const page = await openPage(browser, server.url);
  await addContact(page, "Before The Disk Filled");
  await waitForSavedAndSynced(page, 1);

  // Chromium's DevTools quota override (Storage.overrideQuotaForOrigin) has no effect in this
  // headless build, so the browser's answer to a full disk is played here: every IndexedDB write
  // fails with the QuotaExceededError a full origin gets.
  step("the disk is full: the next save cannot be written, and the status bar says so");
  await page.evaluate(() => {
    const original = IDBDatabase.prototype.transaction;
    window.diskFull = true;
    IDBDatabase.prototype.transaction = function (stores, mode, options) {
      if (window.diskFull && mode === "readwrite") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return original.call(this, stores, mode, options);
    };
  });
  const before = await stats(page);
  await addContact(page, "While The Disk Is Full");
  await waitForState(page, (s) => s.contacts === 2 && !s.persisted, "the contact listed, but not yet saved");
  await page.waitForFunction(() => /storage is full/.test(Module.crmStorage.error("crm.db")), null,
                             { timeout: 15000 });
  await page.waitForTimeout(2500);  // a retry or two fail too
  const failing = await stats(page);
  assert(failing.failedWrites - before.failedWrites >= 2, `the write is retried: ${JSON.stringify(failing)}`);
  assert(failing.transactions === before.transactions, "nothing was written meanwhile");
  await lib.itemRect(page, "Sync status");
  await screenshot(page, "storage-disk-full");

  step("space comes back: the retry saves it, and it survives a reload");
  await page.evaluate(() => { window.diskFull = false; });
  await waitForState(page, (s) => s.persisted, "the retried save", 40000);
  assert(await page.evaluate(() => Module.crmStorage.error("crm.db")) === "", "the error is gone");
  await waitForSavedAndSynced(page, 2);
  await page.reload();
  await waitForApp(page);
  await waitForState(page, (s) => s.contacts === 2, "both contacts after the reload");
  assertNoConsoleErrors(page);
});
