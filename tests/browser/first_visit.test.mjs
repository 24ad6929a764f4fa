// A first visit on a busy machine: start-up that blocks the page for seconds must not end on
// "This workspace is open in another tab" when there is no other tab. The page's main thread is
// kept busy for 3 s right after it asks for the workspace's Web Lock (as a loaded machine did,
// 2.4-3.7 s), in several fresh profiles; each must reach the sign-in screen.
import { assert, assertNoConsoleErrors, launchBrowser, removeDir, runTest, screenshot, startServer, tempDir,
         waitForApp } from "./lib.mjs";

const PROFILES = 4;
const BUSY_MS = 3000;

// Runs in the page before any of its scripts: the first request for the workspace's lock is
// followed by BUSY_MS of work on the main thread, and every storage state seen is recorded.
function loadThePage(busyMs) {
  window.__storageStates = [];
  const request = navigator.locks.request.bind(navigator.locks);
  let busied = false;
  navigator.locks.request = function (name, ...rest) {
    const result = request(name, ...rest);
    if (!busied && String(name).startsWith("crm-storage:")) {
      busied = true;
      const end = performance.now() + busyMs;
      while (performance.now() < end) {}
    }
    return result;
  };
  setInterval(() => {
    const s = window.Module && Module.crmStorage ? Module.crmStorage.state("crm.db") : null;
    if (s && window.__storageStates[window.__storageStates.length - 1] !== s) window.__storageStates.push(s);
  }, 20);
}

await runTest("browser first visit: a fresh profile reaches the sign-in screen on a busy machine", async ({ defer, step }) => {
  const data = tempDir("crm-first-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  for (let i = 1; i <= PROFILES; ++i) {
    step(`fresh profile ${i} of ${PROFILES}, its page busy for ${BUSY_MS} ms while it waits for the lock`);
    const context = await browser.newContext({ deviceScaleFactor: 2, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on("console", (m) => { if (m.type() === "error") page.consoleErrors.push(`console error: ${m.text()}`); });
    page.on("pageerror", (e) => page.consoleErrors.push(`page error: ${e.message}`));
    await page.addInitScript(loadThePage, BUSY_MS);
    await page.goto(server.url);
    await waitForApp(page);
    // Either the sign-in screen, or the screen this test guards against; a generous deadline.
    await page.waitForFunction(() => window.crm.itemRect("Submit sign-in") !== null ||
                                     window.crm.itemRect("Use it here") !== null, null, { timeout: 60000 });
    const seen = await page.evaluate(() => ({ states: window.__storageStates,
                                              signIn: window.crm.itemRect("Submit sign-in") !== null }));
    if (i === 1 || !seen.signIn) await screenshot(page, `first-visit-${i}`);
    assert(seen.signIn, `profile ${i} shows the sign-in screen, not another tab's; storage states: ${seen.states.join(" -> ")}`);
    assert(!seen.states.includes("elsewhere"), `profile ${i} never said another tab has the workspace: ${seen.states.join(" -> ")}`);
    assertNoConsoleErrors(page);
    await context.close();
  }
});
