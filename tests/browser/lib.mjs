// Shared helpers for the browser tests: a real crm-server process on 127.0.0.1, Debian's
// Chromium driven by playwright-core, and input through real mouse and keyboard events at the
// positions the client reports for its widgets (window.crm.itemRect).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-default-apps",
  "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
];

export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests through ./crm test`);
  return v;
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Starts crm-server on `port` (0: any free port) with `extraArgs`; resolves once it listens.
export async function startServer({ dataDir, port = 0, extraArgs = [] }) {
  const proc = spawn(env("CRM_SERVER_BINARY"), ["--port", String(port), "--data", dataDir, "--web", env("CRM_WEB_DIR"), ...extraArgs],
                     { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", (code) => reject(new Error(`crm-server exited with ${code} before listening: ${out}`)));
  });
  proc.removeAllListeners("exit");
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.once("exit", (code) => resolve(code));
    proc.kill("SIGTERM");
  });
  return { url, port: Number(new URL(url).port), stop };
}

export async function launchBrowser({ args = [] } = {}) {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: [...CHROMIUM_ARGS, ...args] });
}

// A page that fails the test on any console error or uncaught exception, except the messages
// `allowed()` accepts at the moment they arrive (for example refused connections while offline).
//
// A page that shows the sign-in screen is signed in through it with real input: `account`
// "new" (the default) creates a new workspace with a fresh email, an {email, password} object
// signs in to that account, {invite, email, password} joins with an invite code, and null
// leaves the sign-in screen up. page.account holds the credentials used.
export async function openPage(browser, url, { deviceScaleFactor = 2, viewport = { width: 1280, height: 800 },
                                              account = "new" } = {}) {
  const context = await browser.newContext({ deviceScaleFactor, viewport });
  const page = await context.newPage();
  const errors = [];
  page.allowed = () => false;
  page.on("console", (msg) => {
    if (msg.type() === "error" && !page.allowed(msg.text())) errors.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
  page.consoleErrors = errors;
  await page.goto(url);
  await waitForApp(page);
  await signInIfAsked(page, account);
  return page;
}

let accountCounter = 0;

// Opens the sign-in screen's "Join with invite" tab and types the code. The tab puts the
// keyboard in the code field on the frames after the click: the code is typed once it is there,
// as a person sees the cursor before typing (typed during that hand-over, it was lost).
export async function joinWithInvite(page, code) {
  await click(page, "Join with invite");
  await waitForState(page, (s) => s.invite.signInMode === "join" && s.typing, "the invite code field taking the keyboard", 30000);
  await fill(page, "Invite code", code);
}

export async function signInIfAsked(page, account) {
  if (account === null || (await state(page)).signedIn) return;
  if (account === "new") {
    accountCounter += 1;
    account = { email: `tester${accountCounter}-${process.pid}-${Date.now()}@example.com`, password: "correct horse battery",
                workspace: "Test workspace" };
  }
  // The sign-in screen can take a few slow software-rendered frames to settle.
  await page.waitForFunction(() => window.crm.itemRect("Submit sign-in") !== null, null, { timeout: 30000 });
  if (account.invite) {
    await joinWithInvite(page, account.invite);
  } else if (account.workspace) {
    await click(page, "New workspace");
    await fill(page, "Workspace name", account.workspace);
  } else {
    await click(page, "I have an account");
  }
  await fill(page, "Email", account.email);
  await fill(page, "Password", account.password);
  await click(page, "Submit sign-in");
  await waitForState(page, (s) => s.signedIn, "signed in");
  page.account = { email: account.email, password: account.password };
}

export async function waitForApp(page) {
  await page.waitForFunction(() => window.crm && window.crm.state() && window.crm.state().frame > 2,
                             null, { timeout: 30000 });
}

export async function state(page) {
  return page.evaluate(() => window.crm.state());
}

// Waits until `predicate(state)` holds, polling the app's state; fails with the last state seen.
export async function waitForState(page, predicate, what, timeout = 15000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeout) {
    last = await state(page);
    if (predicate(last)) return last;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

export async function itemRect(page, label) {
  await page.waitForFunction((l) => window.crm.itemRect(l) !== null, label, { timeout: 10000 });
  return page.evaluate((l) => window.crm.itemRect(l), label);
}

export async function click(page, label) {
  const r = await itemRect(page, label);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await page.waitForTimeout(50);
}

// Clicks into a text field, clears it and types `text` with real key presses.
export async function fill(page, label, text) {
  await click(page, label);
  // As a person does, type once the field has the keyboard (the page hands keys to the field it
  // has activated on a later frame, which can be slow on a loaded machine).
  await waitForState(page, (s) => s.typing, `"${label}" taking the keyboard`, 30000);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text, { delay: 5 });
}

export async function screenshot(page, name) {
  const dir = env("CRM_ARTIFACTS");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function assertNoConsoleErrors(page) {
  assert(page.consoleErrors.length === 0, `console errors:\n${page.consoleErrors.join("\n")}`);
}

// Runs a test body with cleanup, printing one line per step; exits non-zero on failure.
export async function runTest(name, body) {
  const cleanups = [];
  const t0 = Date.now();
  try {
    await body({ defer: (fn) => cleanups.push(fn), step: (s) => console.log(`  - ${s}`) });
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    console.error(`FAIL ${name}: ${err.stack || err}`);
    process.exitCode = 1;
  } finally {
    for (const fn of cleanups.reverse()) {
      try { await fn(); } catch (e) { console.error(`cleanup: ${e}`); }
    }
  }
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
