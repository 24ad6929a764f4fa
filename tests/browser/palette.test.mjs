// The command palette and the browser conventions of text fields, with real keyboard input:
// Ctrl+K finds a contact by part of its name (or its email), arrow keys and Enter open a record
// and the address follows; commands run from the palette (a new record's form, the theme); the
// single-key shortcuts (G 2, N, /); paste from and copy to the system clipboard; text that no
// keydown carries (insertText, an input method's composition, emoji) reaches a field, is stored
// exactly, and is drawn with real glyphs (CJK from the fallback font).
import { assert, assertNoConsoleErrors, click, fill, launchBrowser, openPage, removeDir, runTest, screenshot, startServer,
         state, tempDir, waitForState } from "./lib.mjs";
import { pushRecords, sessionOf } from "./screens_lib.mjs";

const hash = (page) => page.evaluate(() => window.location.hash);

async function openPalette(page) {
  await page.keyboard.press("Control+K");
  await waitForState(page, (s) => s.palette.open && s.typing, "the palette open with its query field taking the keys");
}

await runTest("browser palette", async ({ defer, step }) => {
  const data = tempDir("crm-palette-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url.replace(/\/$/, "") });
  defer(async () => { if (process.exitCode) await screenshot(page, "palette-failure"); });

  step("records pushed by a colleague arrive");
  const { token } = await sessionOf(page);
  const [adaId, graceId] = await pushRecords(server.url, token, "contact", [
    { name: "Ada Lovelace", email: "ada@example.com", phone: "+44 20 7946 0018" },
    { name: "Grace Hopper", email: "grace@example.com" },
  ]);
  await pushRecords(server.url, token, "company", [{ name: "Analytical Engines", domain: "engines.example.co.uk" }]);
  await waitForState(page, (s) => s.counts.contact === 2 && s.counts.company === 1, "the pushed records", 30000);

  step("Ctrl+K, part of a name, Enter: the contact's page opens and the address follows");
  await openPalette(page);
  let s = await state(page);
  assert(s.palette.items.some((i) => i.label === "New contact") && s.palette.items.some((i) => i.label === "Go to Settings"),
         `the empty palette lists commands: ${JSON.stringify(s.palette.items.map((i) => i.label))}`);
  await page.keyboard.type("lovel", { delay: 5 });
  s = await waitForState(page, (x) => x.palette.items.length > 0 && x.palette.items[0].label === "Ada Lovelace",
                         "Ada first among the results");
  assert(s.palette.items[0].group === "Contacts" && s.palette.items[0].detail === "ada@example.com",
         `grouped as a contact with its email: ${JSON.stringify(s.palette.items[0])}`);
  assert(s.palette.lastQueryMs < 50, `the search took ${s.palette.lastQueryMs} ms`);
  await screenshot(page, "palette-search");
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record && x.record.id === adaId, "Ada's page");
  assert(!s.palette.open, "the palette closes");
  assert((await hash(page)) === `#/contact/${adaId}`, `the address names the record: ${await hash(page)}`);

  step("results are grouped by type; the arrow keys choose which one Enter opens");
  await openPalette(page);
  await page.keyboard.type("example", { delay: 5 });
  s = await waitForState(page, (x) => x.palette.items.filter((i) => i.type).length === 3, "two contacts and a company");
  const groups = s.palette.items.filter((i) => i.type).map((i) => i.group);
  assert(JSON.stringify(groups) === JSON.stringify(["Contacts", "Contacts", "Companies"]), `groups in order: ${groups}`);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  s = await waitForState(page, (x) => x.palette.selected === 2, "the third result chosen");
  await page.keyboard.press("ArrowUp");
  s = await waitForState(page, (x) => x.palette.selected === 1, "the second result chosen");
  const second = s.palette.items[1];
  await screenshot(page, "palette-groups");
  await page.keyboard.press("Enter");
  const secondId = second.label === "Ada Lovelace" ? adaId : graceId;
  await waitForState(page, (x) => x.record && x.record.id === secondId, `${second.label}'s page`);

  step("typed straight after Ctrl+K, before the field has the keyboard, a phone number's digits find its contact; Esc closes the palette without moving");
  // All in one task, so that the app sees them in one go, as after a slow frame.
  await page.evaluate((digits) => {
    const key = (type, k, ctrl) => window.dispatchEvent(new KeyboardEvent(type, { key: k, code: k === "k" ? "KeyK" : k === "Control" ? "ControlLeft" : `Digit${k}`, ctrlKey: ctrl, bubbles: true, cancelable: true }));
    key("keydown", "Control", true);
    key("keydown", "k", true);
    key("keyup", "k", true);
    key("keyup", "Control", false);
    for (const d of digits) { key("keydown", d, false); key("keyup", d, false); }
  }, "2079460018");
  s = await waitForState(page, (x) => x.palette.open && x.palette.query.length === 10, "every digit in the query");
  assert(s.palette.query === "2079460018", `no key lost or reordered: "${s.palette.query}"`);
  await waitForState(page, (x) => x.palette.items.length > 0 && x.palette.items[0].label === "Ada Lovelace", "Ada by phone");
  await page.keyboard.press("Escape");
  s = await waitForState(page, (x) => !x.palette.open, "the palette closed");
  assert(s.record && s.record.id === secondId, "Esc leaves the page as it was");

  step("commands: New company opens the companies screen with its form; the theme switches and back");
  await openPalette(page);
  await page.keyboard.type("new comp", { delay: 5 });
  s = await waitForState(page, (x) => x.palette.items.length > 0 && x.palette.items[0].label === "New company", "the command");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.route === "#/companies" && x.table && x.table.createOpen, "the new company form");
  await click(page, "Create cancel");
  await waitForState(page, (x) => !x.table.createOpen, "the form closed");
  await openPalette(page);
  await page.keyboard.type("dark", { delay: 5 });
  await waitForState(page, (x) => x.palette.items.length > 0 && x.palette.items[0].label === "Switch to dark theme", "the theme command");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.theme === "dark" && !x.palette.open, "the dark theme");
  await screenshot(page, "palette-dark-companies");
  await openPalette(page);
  await page.keyboard.type("light", { delay: 5 });
  await waitForState(page, (x) => x.palette.items.length > 0 && x.palette.items[0].label === "Switch to light theme", "back");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.theme === "light", "the light theme again");

  step("shortcuts: G 1 goes to the first screen, N opens its new-record form, Esc twice closes it (the field, then the form), / filters by name");
  await page.keyboard.press("g");
  await page.keyboard.press("1");
  await waitForState(page, (x) => x.route === "#/contacts", "the contacts screen");
  await page.keyboard.press("n");
  await waitForState(page, (x) => x.table.createOpen && x.typing, "the new contact form, its first field typing");
  await page.keyboard.press("Escape");
  // A quick person presses Esc twice in a row: the second lands the moment the field has let go,
  // before the app draws again (when the app hands the keyboard back from its hidden text area).
  // Dispatched in the page so that it lands in exactly that gap.
  s = await page.evaluate(() => new Promise((resolve) => {
    const poll = () => {
      const now = window.crm.state();
      if (now.typing) return setTimeout(poll, 0);
      for (const type of ["keydown", "keyup"])
        window.dispatchEvent(new KeyboardEvent(type, { key: "Escape", code: "Escape", keyCode: 27, bubbles: true }));
      resolve(now);
    };
    poll();
  }));
  assert(s.table.createOpen, "the first Esc leaves the field, the form stays");
  await waitForState(page, (x) => !x.table.createOpen, "the form closed by the second Esc");
  await page.keyboard.press("/");
  await waitForState(page, (x) => x.typing && x.table.filters.length === 1 && x.table.filters[0].field === "name",
                     "a name filter taking the keys");
  await page.keyboard.type("grace", { delay: 5 });
  await waitForState(page, (x) => x.table.total === 1 && x.table.filters[0].value === "grace", "one contact left");
  await click(page, "Filter 0 remove");
  await waitForState(page, (x) => x.table.total === 2, "the filter removed");

  step("paste from the system clipboard into a field, and copy a field's text out");
  await page.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, adaId);
  await waitForState(page, (x) => x.record && x.record.id === adaId, "Ada's page");
  const pasted = "Head of Analysis – Difference Engines";
  await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
  await click(page, "Field job_title");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+V");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.record.values.job_title === pasted, "the pasted job title saved");
  await page.evaluate(() => navigator.clipboard.writeText("nothing copied yet"));
  await click(page, "Field email");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+C");
  await page.keyboard.press("Escape");
  let copied = "";
  for (let i = 0; i < 40 && copied !== "ada@example.com"; ++i) {
    await page.waitForTimeout(50);
    copied = await page.evaluate(() => navigator.clipboard.readText());
  }
  assert(copied === "ada@example.com", `the system clipboard holds the copied email: '${copied}'`);

  step("text no keydown carries reaches the field: accents, CJK, emoji, an input method's composition");
  const typed = "Zürich Straße é – 中文 😀";
  await fill(page, "Field job_title", typed);  // playwright inserts the characters a US keyboard lacks
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record.values.job_title === typed, "the unicode job title saved exactly");
  await click(page, "Field job_title");
  await page.keyboard.press("End");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.imeSetComposition", { text: "にほ", selectionStart: 2, selectionEnd: 2 });
  await cdp.send("Input.imeSetComposition", { text: "日本", selectionStart: 2, selectionEnd: 2 });
  await cdp.send("Input.insertText", { text: "日本" });
  await page.keyboard.press("Enter");
  s = await waitForState(page, (x) => x.record.values.job_title === typed + "日本", "the composed text appended once");

  step("the characters are drawn, not boxes: the font atlas takes in CJK and emoji glyphs from the fallback fonts as it meets them");
  // 中 文 日 本, に ほ from the composition, and 😀.
  const met = [0x4E2D, 0x6587, 0x65E5, 0x672C, 0x306B, 0x307B, 0x1F600];
  s = await waitForState(page, (x) => x.font.fallback === "loaded" && x.font.symbols === "loaded" &&
                                      met.every((c) => !x.font.missing.includes(c)), "the CJK and emoji glyphs in the atlas");
  assert(s.font.missing.length === 0, `every character met has a glyph: ${s.font.missing.map((c) => c.toString(16))}`);
  await screenshot(page, "palette-unicode-field");

  assertNoConsoleErrors(page);
});
