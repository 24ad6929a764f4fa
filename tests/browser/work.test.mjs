// My work and the cases queue, driven with real input. My work: tasks from another device land
// in Overdue / Due today / Upcoming / No due date, someone else's stay out until asked for, a
// task is added from the quick form (a refused due date first) with the record it is about, a
// done toggle writes through the domain and undoes in place, the record link opens the record,
// and a task falling due while the app is open shows a reminder on whatever screen is up, once.
// The queue: open cases by status and priority, with SLA countdowns, a breached one in red and a
// near-breach one in amber.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { choose, clickSettled, pushRecords, sessionOf } from "./screens_lib.mjs";

const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;

const group = (s, title) => s.work.groups.find((g) => g.title === title);
const subjects = (s, title) => group(s, title).items.map((t) => t.subject);

await runTest("browser work", async ({ defer, step }) => {
  const data = tempDir("crm-work-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  const page = await openPage(browser, server.url, { viewport: { width: 1400, height: 860 } });
  defer(async () => { if (process.exitCode) await screenshot(page, "work-failure"); });
  const { token } = await sessionOf(page);

  step("tasks from another device are grouped by when they are due");
  const now = Date.now();
  const midnight = await page.evaluate(() => { const d = new Date(); d.setHours(24, 0, 0, 0); return d.getTime(); });
  const [grace] = await pushRecords(server.url, token, "contact", [{ name: "Grace Hopper", email: "grace@example.com" }]);
  const task = (subject, due, extra = {}) => ({ kind: "task", subject, priority: "normal", done: false,
                                                ...(due ? { due_at: due } : {}), ...extra });
  await pushRecords(server.url, token, "activity", [
    task("Call back Initech", now - 26 * HOUR, { contact_id: grace }),
    task("Prepare the demo", now + Math.min(HOUR, (midnight - now) / 2)),
    task("Quarterly review", now + 3 * DAY),
    task("Tidy the pipeline", null),
    task("Someone else's call", now + 2 * HOUR, { owner: "someone.else@example.com" }),
    task("Already done", now - HOUR, { done: true, done_at: now - 2 * HOUR }),
    { kind: "note", body: "A note is not a task" },
  ]);
  await click(page, "Nav My work");
  let s = await waitForState(page, (x) => x.route === "#/work" && x.work && x.work.groups.length === 4 &&
                                          group(x, "Upcoming").total === 1, "the tasks grouped", 30000);
  assert(JSON.stringify(subjects(s, "Overdue")) === '["Call back Initech"]', `overdue: ${subjects(s, "Overdue")}`);
  assert(JSON.stringify(subjects(s, "Due today")) === '["Prepare the demo"]', `today: ${subjects(s, "Due today")}`);
  assert(JSON.stringify(subjects(s, "No due date")) === '["Tidy the pipeline"]', `no due date: ${subjects(s, "No due date")}`);
  assert(group(s, "Overdue").items[0].record === "Grace Hopper", "the record it is about is named");
  assert(!JSON.stringify(s.work.groups).includes("Someone else"), "someone else's task is not mine");
  await choose(page, "Whose tasks", "Everyone's");
  s = await waitForState(page, (x) => subjects(x, "Due today").includes("Someone else's call"), "everyone's tasks");
  await choose(page, "Whose tasks", "Mine and unassigned");
  await waitForState(page, (x) => !subjects(x, "Due today").includes("Someone else's call"), "mine again");

  step("the quick form refuses a due date it cannot read, then adds a task about a contact");
  await fill(page, "Task subject", "Email Grace the proposal");
  await fill(page, "Task due", "next tuesday");
  await click(page, "Task add");
  s = await waitForState(page, (x) => x.work.formError !== "", "the refusal");
  assert(/must be a date like 2025-06-15/.test(s.work.formError), `the message: ${s.work.formError}`);
  await itemRect(page, "Task error");
  await click(page, "Task due tomorrow");
  await fill(page, "Task about", "grace");
  await clickSettled(page, "Pick Grace Hopper");
  await click(page, "Task add");
  s = await waitForState(page, (x) => subjects(x, "Upcoming").includes("Email Grace the proposal"), "the new task, due tomorrow");
  const added = group(s, "Upcoming").items.find((t) => t.subject === "Email Grace the proposal");
  assert(added.record === "Grace Hopper" && added.recordType === "contact", `about Grace: ${JSON.stringify(added)}`);
  assert(s.work.formError === "", "no error left");
  await screenshot(page, "work");

  step("the done toggle marks the task done through the domain, in place, and undoes");
  await click(page, "Done Call back Initech");
  s = await waitForState(page, (x) => group(x, "Overdue").total === 0, "no open overdue task");
  assert(group(s, "Overdue").items[0].done === true, "the ticked task stays, struck through");
  await screenshot(page, "work-done");
  await click(page, "Done Call back Initech");
  s = await waitForState(page, (x) => group(x, "Overdue").total === 1 && !group(x, "Overdue").items[0].done, "undone");
  await click(page, "Done Call back Initech");
  await waitForState(page, (x) => group(x, "Overdue").total === 0, "done again");

  step("the record link opens the contact, whose timeline has the task");
  await click(page, "Task link Email Grace the proposal");
  s = await waitForState(page, (x) => x.record && x.record.title === "Grace Hopper", "Grace's page");
  assert(s.record.timeline.some((e) => e.activity === "task" && e.text === "Email Grace the proposal"), "the task on her timeline");

  step("a task falling due while the app is open shows a reminder on the screen in use, once");
  await click(page, "Nav Contacts");
  const reminderDue = Date.now() + 8000;
  await pushRecords(server.url, token, "activity", [task("Send the contract", reminderDue)]);
  await page.waitForTimeout(2000);
  s = await waitForState(page, (x) => x.reminders.length === 0, "no reminder before it is due");
  assert(Date.now() < reminderDue, "checked before the task was due");
  s = await waitForState(page, (x) => x.reminders.includes("Send the contract"), "the reminder", 40000);
  assert(Date.now() >= reminderDue - 1000, "not before the task is due");
  assert(s.route === "#/contacts", "shown on the contacts screen");
  await itemRect(page, "Reminder Send the contract");
  await screenshot(page, "work-reminder");
  await click(page, "Reminder dismiss Send the contract");
  await waitForState(page, (x) => x.reminders.length === 0, "dismissed");
  await page.waitForTimeout(2500);
  s = await waitForState(page, (x) => x.reminders.length === 0, "still dismissed");
  await click(page, "Nav My work");
  s = await waitForState(page, (x) => x.work && subjects(x, "Overdue").includes("Send the contract"), "the task is overdue now");

  step("after a reload the done task stays done and the old reminder does not come back");
  await page.reload();
  await waitForApp(page);
  s = await waitForState(page, (x) => x.route === "#/work" && x.work && x.work.groups.length === 4 && x.work.loads > 0, "My work again", 30000);
  assert(!subjects(s, "Overdue").includes("Call back Initech"), `done stays done: ${subjects(s, "Overdue")}`);
  await page.waitForTimeout(1500);
  s = await waitForState(page, (x) => x.reminders.length === 0, "no reminder for a task that was due before the app opened");

  step("the cases queue: open cases by status and priority, with SLA countdowns");
  const t = Date.now();
  const kase = (subject, status, priority, extra) => ({ subject, status, priority, queue: "Support", opened_at: t - 2 * HOUR, ...extra });
  await pushRecords(server.url, token, "case", [
    kase("Login page down", "open", "urgent", { contact_id: grace, first_response_due_at: t - 35 * MIN - 10_000,
                                                 resolution_due_at: t + 2 * HOUR }),
    kase("Invoice question", "new", "normal", { first_response_due_at: t + 30 * MIN + 20_000, resolution_due_at: t + 2 * DAY }),
    kase("Feature request", "pending", "low", { first_response_at: t - HOUR, first_response_due_at: t + DAY,
                                                 resolution_due_at: t + 5 * DAY }),
    kase("Password reset", "new", "high", { first_response_due_at: t + 3 * HOUR, resolution_due_at: t + DAY }),
    kase("Old solved case", "solved", "urgent", { first_response_due_at: t - DAY, resolution_due_at: t - DAY }),
  ]);
  await click(page, "Nav Case queue");
  s = await waitForState(page, (x) => x.route === "#/queue" && x.queue && x.queue.total === 4, "four open cases", 30000);
  const rows = s.queue.rows;
  assert(rows.map((r) => r.subject).join(",") === "Password reset,Invoice question,Login page down,Feature request",
         `by status, then priority: ${rows.map((r) => r.subject)}`);
  const row = (name) => rows.find((r) => r.subject === name);
  assert(row("Login page down").state === "breached" && row("Login page down").firstResponse.state === "breached" &&
         /^breached 3[56]m ago$/.test(row("Login page down").firstResponse.text), `breached: ${JSON.stringify(row("Login page down"))}`);
  assert(row("Invoice question").state === "near" && /^(29|30)m left$/.test(row("Invoice question").firstResponse.text),
         `near breach: ${JSON.stringify(row("Invoice question"))}`);
  assert(row("Feature request").firstResponse.state === "met" && row("Feature request").state === "running" &&
         /^4d 2\dh left$/.test(row("Feature request").resolution.text), `met and running: ${JSON.stringify(row("Feature request"))}`);
  assert(row("Password reset").state === "running" && /^(2h 59m|3h 0m) left$/.test(row("Password reset").firstResponse.text),
         `running: ${JSON.stringify(row("Password reset"))}`);
  await itemRect(page, "First response Login page down");
  await screenshot(page, "queue");
  await choose(page, "Queue priority", "Urgent");
  s = await waitForState(page, (x) => x.queue.total === 1 && x.queue.rows[0].subject === "Login page down", "the urgent case");
  await choose(page, "Queue priority", "Any priority");
  await waitForState(page, (x) => x.queue.total === 4, "every open case");
  await click(page, "Case Login page down");
  s = await waitForState(page, (x) => x.record && x.record.title === "Login page down", "the case's page");
  assert(s.record.related.Contact === 1, "its contact among related records");
  await page.goBack();
  await waitForState(page, (x) => x.route === "#/queue" && x.queue && x.queue.total === 4, "back to the queue");

  assertNoConsoleErrors(page);
});
