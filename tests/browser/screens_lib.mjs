// Helpers for the tests of the CRM's screens (screens, views, table_scroll): clicking widgets
// that move or need the pointer to rest first, picking from combo boxes, the new-record form,
// and records another client pushes through the sync API.
import { randomBytes } from "node:crypto";
import { assert, click, fill, itemRect } from "./lib.mjs";

export const hex = (n) => randomBytes(n).toString("hex");

// Waits for a widget's rectangle to stay put for two reads: a popup that has just opened
// reports where it is drawn from its first shown frame on.
export async function settledRect(page, label) {
  let last = await itemRect(page, label);
  for (let i = 0; i < 20; ++i) {
    await page.waitForTimeout(40);
    const r = await itemRect(page, label);
    if (r.x === last.x && r.y === last.y) return r;
    last = r;
  }
  return last;
}

export async function clickSettled(page, label) {
  const r = await settledRect(page, label);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await page.waitForTimeout(50);
}

// A table header only takes a click once the pointer has rested on it (ImGui lets overlapping
// widgets settle which one is hovered), as it does when a person moves there and clicks.
export async function clickHeader(page, label) {
  const r = await itemRect(page, label);
  await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
  await page.waitForTimeout(100);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await page.waitForTimeout(50);
}

// Scrolls the panel under `anchor` with the mouse wheel until `label` is on screen, as a person
// scrolls to a field below the fold.
export async function scrollTo(page, label, anchor) {
  for (let i = 0; i < 30; ++i) {
    if (await page.evaluate((l) => window.crm.itemRect(l) !== null, label)) return;
    const a = await itemRect(page, anchor);
    await page.mouse.move(a.x + a.w / 2, a.y + a.h / 2);
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(150);
  }
  await itemRect(page, label);  // fails with the label named
}

// Picks `option` from the combo box `combo` with two clicks.
export async function choose(page, combo, option) {
  await clickSettled(page, combo);
  await clickSettled(page, `Option ${option}`);
}

// Opens the new-record form of the table on screen, types `fields` ("New <field>"), picks
// referenced records by typing part of their name, and presses the create button.
export async function createRecord(page, fields, { picks = {} } = {}) {
  await click(page, "New record");
  await settledRect(page, "Create form");
  for (const [field, value] of Object.entries(fields)) await fill(page, `New ${field}`, value);
  for (const [field, { type, pick }] of Object.entries(picks)) {
    await fill(page, `New ${field}`, type);
    await clickSettled(page, `Pick ${pick}`);
  }
  await click(page, "Create save");
}

// The session the page signed in with (kept in localStorage by the app).
export async function sessionOf(page) {
  return JSON.parse(await page.evaluate(() => localStorage.getItem("crm.session")));
}

// Records of `type` pushed over the sync API as another client would: [{field: value}, ...].
export async function pushRecords(url, token, type, records) {
  const replica = hex(16), wall = Date.now() - 3_600_000;
  let changes = [], batch = 0;
  const flush = async () => {
    const r = await fetch(new URL("api/v1/push", url), {
      method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ batch_id: `${replica}-${batch++}`, changes }),
    });
    assert(r.ok, `push answered ${r.status}: ${await r.text()}`);
    changes = [];
  };
  const ids = [];
  for (let i = 0; i < records.length; ++i) {
    const id = hex(16), hlc = `${String(wall + i).padStart(18, "0")}-00000`;
    ids.push(id);
    for (const [field, value] of Object.entries({ created_at: wall + i, ...records[i] }))
      changes.push({ type, id, field, value, hlc, replica });
    if (changes.length >= 4000) await flush();
  }
  if (changes.length) await flush();
  return ids;
}
