// An existing account joins a second workspace from the sign-in screen: Bob, who has a workspace
// of his own, types Alice's invite code under "Join with invite" with his own email and
// password. The server says the email has an account, the screen ticks "I have an account
// already", and the second press signs him in to Alice's workspace, where he sees her contact.
import { assert, assertNoConsoleErrors, click, fill, joinWithInvite, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForState } from "./lib.mjs";
import { settledRect } from "./screens_lib.mjs";

async function api(base, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(new URL(path, base), { method: "POST", headers, body: JSON.stringify(body ?? {}) });
  return { status: r.status, body: await r.json() };
}

await runTest("an existing account joins a second workspace by invite", async ({ defer, step }) => {
  const data = tempDir("crm-join-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());

  step("Alice creates a workspace with a contact; Bob has a workspace of his own");
  const alice = await openPage(browser, server.url, { deviceScaleFactor: 1 });
  await click(alice, "Nav Contacts");
  await click(alice, "New record");
  await settledRect(alice, "Create form");
  await fill(alice, "New name", "Dana Scully");
  await click(alice, "Create save");
  await waitForState(alice, (s) => s.sync === "synced" && s.unpushed === 0 && s.contacts === 1, "Alice synced her contact");
  const session = JSON.parse(await alice.evaluate(() => localStorage.getItem("crm.session")));
  const bobsOwn = await api(server.url, "/api/v1/auth/signup",
                            { email: "bob@example.com", password: "bob's long password", workspace_name: "Bob's own" });
  assert(bobsOwn.status === 201, `Bob's account: ${JSON.stringify(bobsOwn)}`);
  const invite = await api(server.url, "/api/v1/invites", {}, session.token);
  assert(invite.status === 201, `an invite: ${JSON.stringify(invite)}`);

  step("Bob joins with the invite and his existing account");
  const bob = await openPage(browser, server.url, { deviceScaleFactor: 1, account: null });
  // The first try, as a new account with his email, is answered 409 account_exists on purpose;
  // the browser logs that answer as a failed load.
  bob.allowed = (text) => text.includes("status of 409");
  // The sign-in screen can take a few slow software-rendered frames to settle.
  await bob.waitForFunction(() => window.crm.itemRect("Submit sign-in") !== null, null, { timeout: 30000 });
  await joinWithInvite(bob, invite.body.code);
  await fill(bob, "Email", "bob@example.com");
  await fill(bob, "Password", "bob's long password");
  await click(bob, "Submit sign-in");
  // A new account cannot be made with his email: the screen says so beside it.
  await bob.waitForFunction(() => window.crm.itemRect("Email error") !== null, null, { timeout: 30000 })
    .catch(async (e) => { await screenshot(bob, "join-failure"); throw e; });
  assert(!(await state(bob)).signedIn, "not signed in after the refused sign-up");
  await screenshot(bob, "join-existing-account");
  await click(bob, "Submit sign-in");
  await waitForState(bob, (s) => s.signedIn, "Bob signed in");
  await waitForState(bob, (s) => s.sync === "synced" && s.contacts === 1, "Bob has Alice's contact", 30000);
  assert((await state(bob)).workspace === session.workspace_name, `Bob is in Alice's workspace: ${(await state(bob)).workspace}`);
  await screenshot(bob, "join-signed-in");

  step("the server lists both of Bob's workspaces");
  const login = await api(server.url, "/api/v1/auth/login", { email: "bob@example.com", password: "bob's long password" });
  assert(login.status === 200 && login.body.workspaces.length === 2, `Bob's workspaces: ${JSON.stringify(login.body.workspaces)}`);
  assertNoConsoleErrors(alice);
  assertNoConsoleErrors(bob);
});
