// Two people, two browsers, one workspace: both edit the same contact while the server is
// down (different fields, and the same field), both create contacts, and after the server
// comes back both hold exactly the same records. Real mouse and keyboard input throughout;
// the second person joins with an invite code typed into the sign-in screen.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { settledRect } from "./screens_lib.mjs";

async function createContact(page, name, email) {
  await click(page, "Nav Contacts");
  await click(page, "New record");
  await settledRect(page, "Create form");
  await fill(page, "New name", name);
  await fill(page, "New email", email);
  await click(page, "Create save");
  return (await waitForState(page, (s) => s.record && s.record.title === name, `${name}'s page`)).record.id;
}

async function editField(page, field, value) {
  await fill(page, `Field ${field}`, value);
  await page.keyboard.press("Enter");
  await waitForState(page, (s) => s.record && s.record.values[field] === value, `${field} saved as ${value}`);
}

const offlineNoise = (text) => /Failed to load resource|ERR_CONNECTION_REFUSED|net::ERR_/.test(text);

await runTest("two browsers editing offline converge", async ({ defer, step }) => {
  const data = tempDir("crm-two-");
  defer(() => removeDir(data));
  let server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step("Alice creates a workspace and a contact");
  const alice = await openPage(browser, server.url, { deviceScaleFactor: 1 });
  alice.allowed = offlineNoise;
  const danaId = await createContact(alice, "Dana Scully", "dana@fbi.example.com");
  await waitForState(alice, (s) => s.sync === "synced" && s.unpushed === 0, "Alice synced");

  step("Bob joins with an invite code and sees the contact");
  const session = JSON.parse(await alice.evaluate(() => localStorage.getItem("crm.session")));
  const invite = await (await fetch(new URL("/api/v1/invites", server.url), {
    method: "POST", headers: { Authorization: `Bearer ${session.token}` } })).json();
  assert(invite.code, `an invite: ${JSON.stringify(invite)}`);
  const bob = await openPage(browser, server.url, { deviceScaleFactor: 1, account: { invite: invite.code, email: "bob@example.com", password: "bob's long password" } })
    .catch(async (e) => { for (const p of browser.contexts().map((c) => c.pages()[0])) await screenshot(p, `two-browsers-failure-${browser.contexts().indexOf(p.context())}`); throw e; });
  bob.allowed = offlineNoise;
  await waitForState(bob, (s) => s.sync === "synced" && s.counts && s.counts.contact === 1, "Bob has Alice's contact");
  assert((await state(bob)).workspace === session.workspace_name, "Bob is in Alice's workspace");
  await bob.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, danaId);
  await waitForState(bob, (s) => s.record && s.record.id === danaId, "Bob on Dana's page");
  await alice.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, danaId);
  await waitForState(alice, (s) => s.record && s.record.id === danaId, "Alice on Dana's page");

  step("the server goes down; both edit the same contact and create one each");
  const port = server.port;
  await server.stop();
  await editField(alice, "job_title", "Special Agent");
  await editField(bob, "phone", "+1 202 555 0100");
  await editField(alice, "name", "Dana K. Scully");
  await alice.waitForTimeout(20);
  await editField(bob, "name", "Dr. Dana Scully");  // the later edit of the same field
  await createContact(alice, "Fox Mulder", "fox@fbi.example.com");
  await createContact(bob, "Walter Skinner", "walter@fbi.example.com");
  for (const [who, page] of [["Alice", alice], ["Bob", bob]])
    await waitForState(page, (s) => s.sync === "offline" && s.unpushed > 0, `${who} offline with unsent changes`, 30000);
  await screenshot(alice, "two-browsers-alice-offline");
  await screenshot(bob, "two-browsers-bob-offline");

  step("the server comes back; both send, both receive, both hold the same records");
  server = await startServer({ dataDir: data, port });
  const done = (s) => s.sync === "synced" && s.unpushed === 0 && s.counts && s.counts.contact === 3 && s.cursor === s.latest;
  await waitForState(alice, done, "Alice caught up", 60000);
  await waitForState(bob, done, "Bob caught up", 60000);
  // Each has sent everything and pulled the other's: their cursors meet at the log's end.
  await waitForState(alice, (s) => done(s) && s.cursor === s.latest, "Alice at the log's end", 30000);
  const latest = (await state(bob)).latest;
  await waitForState(alice, (s) => s.cursor >= latest, "Alice has Bob's changes", 30000);
  await waitForState(bob, (s) => s.cursor >= (latest), "Bob has Alice's changes", 30000);

  for (const page of [alice, bob]) {
    await page.evaluate((id) => { window.location.hash = `#/contact/${id}`; }, danaId);
    await waitForState(page, (s) => s.record && s.record.id === danaId && s.record.values.job_title === "Special Agent" &&
                                    s.record.values.phone === "+1 202 555 0100", "Dana with both people's edits");
  }
  const a = (await state(alice)).record.values, b = (await state(bob)).record.values;
  assert(JSON.stringify(a) === JSON.stringify(b), `the same record on both:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  assert(a.name === "Dr. Dana Scully", `the later edit of the name wins on both: ${a.name}`);
  assert(a.email === "dana@fbi.example.com", "untouched fields keep their value");
  await screenshot(alice, "two-browsers-alice-converged");
  await screenshot(bob, "two-browsers-bob-converged");

  for (const page of [alice, bob]) await click(page, "Nav Contacts");
  const titles = async (page) => (await waitForState(page, (s) => s.table && s.table.total === 3 && s.table.visibleTitles.length === 3,
                                                       "three contacts listed")).table.visibleTitles;
  const ta = await titles(alice), tb = await titles(bob);
  assert(JSON.stringify(ta) === JSON.stringify(tb), `the same list on both: ${ta} / ${tb}`);
  assert(JSON.stringify(ta) === JSON.stringify(["Dr. Dana Scully", "Fox Mulder", "Walter Skinner"]), `every contact: ${ta}`);

  step("a reload keeps the merged result");
  await bob.reload();
  await waitForApp(bob);
  await waitForState(bob, (s) => s.signedIn && s.counts && s.counts.contact === 3, "Bob after a reload", 30000);
  assertNoConsoleErrors(alice);
  assertNoConsoleErrors(bob);
});
