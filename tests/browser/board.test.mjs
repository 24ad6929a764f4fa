// The pipeline board, driven with the real mouse: deals from another device appear in their
// stage's column with counts and totals per currency (only the cards in view are drawn), the
// filters narrow the board, a card dragged to another column moves the deal through the domain
// (the stage change is recorded and reaches the server, won stages win the deal), Undo moves it
// back, a drop the domain refuses shows its words on the board, and everything survives a reload.
import { assert, assertNoConsoleErrors, click, fill, itemRect, launchBrowser, openPage, removeDir, runTest, screenshot,
         startServer, state, tempDir, waitForApp, waitForState } from "./lib.mjs";
import { choose, hex, pushRecords, sessionOf } from "./screens_lib.mjs";

const PIPELINE = "00000000000000000000000000000001";
const STAGE = (n) => `00000000000000000000000000000${100 + n}`;  // 1 Qualification ... 5 Closed won, 6 Closed lost

const column = (s, name) => s.board.columns.find((c) => c.name === name);

// Presses on a card, moves the mouse in small steps to the middle of a column and releases;
// `during` runs while the button is still held over the target.
async function dragCard(page, card, target, { during } = {}) {
  const from = await itemRect(page, `Card ${card}`), to = await itemRect(page, `Column ${target}`);
  const sx = from.x + from.w / 2, sy = from.y + from.h / 2, tx = to.x + to.w / 2, ty = to.y + Math.min(120, to.h / 2);
  await page.mouse.move(sx, sy);
  await page.waitForTimeout(80);
  await page.mouse.down();
  await page.waitForTimeout(80);
  for (let i = 1; i <= 15; ++i) {
    await page.mouse.move(sx + ((tx - sx) * i) / 15, sy + ((ty - sy) * i) / 15);
    await page.waitForTimeout(25);
  }
  if (during) await during();
  await page.mouse.up();
  await page.waitForTimeout(80);
}

// Every change the server holds, as another device would pull them.
async function pullAll(url, token) {
  const out = [];
  for (let after = 0; ;) {
    const r = await fetch(new URL(`api/v1/pull?after=${after}&limit=10000`, url), { headers: { Authorization: `Bearer ${token}` } });
    assert(r.ok, `pull answered ${r.status}`);
    const body = await r.json();
    out.push(...body.changes);
    after = body.cursor;
    if (!body.more) return out;
  }
}

async function pushChanges(url, token, changes) {
  const r = await fetch(new URL("api/v1/push", url), {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ batch_id: hex(16), changes }),
  });
  assert(r.ok, `push answered ${r.status}: ${await r.text()}`);
}

await runTest("browser board", async ({ defer, step }) => {
  const data = tempDir("crm-board-");
  defer(() => removeDir(data));
  const server = await startServer({ dataDir: data });
  defer(() => server.stop());
  const browser = await launchBrowser();
  defer(() => browser.close());
  // Wide enough for the six stages side by side (narrower windows scroll the board sideways).
  const page = await openPage(browser, server.url, { viewport: { width: 1600, height: 900 } });
  defer(async () => { if (process.exitCode) await screenshot(page, "board-failure"); });
  const { token } = await sessionOf(page);

  step("deals from another device appear in their stages, with counts and totals kept apart by currency");
  const [acme, globex, initech] = await pushRecords(server.url, token, "company",
                                                    [{ name: "Acme Corp" }, { name: "Globex" }, { name: "Initech" }]);
  const deal = (name, stage, amount, currency, close, company, owner) =>
    ({ name, pipeline_id: PIPELINE, stage_id: STAGE(stage), status: "open", amount, currency, close_date: close,
       company_id: company, owner });
  const bulk = [];
  for (let i = 0; i < 300; ++i)
    bulk.push({ name: `Bulk deal ${String(i).padStart(3, "0")}`, pipeline_id: PIPELINE, stage_id: STAGE(2), status: "open",
                amount: 100, currency: "USD", close_date: "2031-01-01" });
  await pushRecords(server.url, token, "deal", [
    deal("Acme renewal", 1, 12000, "USD", "2030-03-01", acme, "ana@example.com"),
    deal("Globex expansion", 1, 8000, "EUR", "2030-02-01", globex, "ben@example.com"),
    deal("Initech pilot", 3, 3000, "USD", "2030-04-01", initech, "ana@example.com"),
    deal("Umbrella order", 4, 5500.75, "GBP", "2020-01-15", "", "ben@example.com"),
    ...bulk,
  ]);
  await click(page, "Nav Pipeline");
  let s = await waitForState(page, (x) => x.route === "#/board" && x.board && x.board.deals === 304, "304 deals on the board", 60000);
  assert(s.board.columns.map((c) => c.name).join(",") ===
         "Qualification,Needs analysis,Proposal,Negotiation,Closed won,Closed lost", `columns in stage order: ${s.board.columns.map((c) => c.name)}`);
  const q = column(s, "Qualification");
  assert(q.count === 2 && q.totals.USD === 12000 && q.totals.EUR === 8000 && q.totalText === "USD 12,000 + EUR 8,000",
         `Qualification: ${JSON.stringify(q)}`);
  assert(column(s, "Negotiation").totalText === "GBP 5,501", `rounded total: ${column(s, "Negotiation").totalText}`);
  assert(JSON.stringify(q.cards) === JSON.stringify(["Globex expansion", "Acme renewal"]), `by close date: ${q.cards}`);
  const many = column(s, "Needs analysis");
  assert(many.count === 300 && Math.round(many.totals.USD) === 30000, `Needs analysis: ${many.count} ${many.totalText}`);
  assert(many.visible.length > 2 && many.visible.length < 20, `only the cards in view are drawn: ${many.visible.length}`);
  assert(s.board.cardsDrawn < 40, `cards drawn in a frame: ${s.board.cardsDrawn}`);
  await screenshot(page, "board");

  step("the wheel scrolls a long column and the cards further down are drawn, without reading the deals again");
  const before = s;
  const col = await itemRect(page, "Column Needs analysis");
  await page.mouse.move(col.x + col.w / 2, col.y + col.h / 2);
  for (let i = 0; i < 5; ++i) { await page.mouse.wheel(0, 400); await page.waitForTimeout(60); }
  s = await waitForState(page, (x) => column(x, "Needs analysis").visible[0] >= "Bulk deal 005", "the column scrolled");
  assert(s.board.cardsDrawn < 40, `still only the cards in view: ${s.board.cardsDrawn}`);
  assert(s.draws >= before.draws + 5 && s.board.loads === before.board.loads,
         `${s.draws - before.draws} frames drawn, ${s.board.loads - before.board.loads} reads of the deals`);

  step("filters: name text, owner and close date narrow the board");
  await fill(page, "Board filter", "globex");
  s = await waitForState(page, (x) => x.board.deals === 1, "one deal matches 'globex'");
  assert(column(s, "Qualification").cards[0] === "Globex expansion", "the company's deal");
  await fill(page, "Board filter", "acme corp");
  await waitForState(page, (x) => x.board.deals === 1 && column(x, "Qualification").cards[0] === "Acme renewal",
                     "a deal found by its company's name");
  await click(page, "Board clear");
  await waitForState(page, (x) => x.board.deals === 304, "every deal again");
  await choose(page, "Board owner", "ana@example.com");
  s = await waitForState(page, (x) => x.board.deals === 2, "ana's two deals");
  await choose(page, "Board owner", "Any owner");
  await choose(page, "Board close", "Past close date");
  s = await waitForState(page, (x) => x.board.deals === 1, "one deal past its close date");
  assert(column(s, "Negotiation").cards[0] === "Umbrella order", "the overdue deal");
  await choose(page, "Board close", "Any close date");
  await waitForState(page, (x) => x.board.deals === 304, "every deal again");

  step("a card dragged to another column moves the deal; counts and totals follow");
  await dragCard(page, "Acme renewal", "Proposal", {
    during: async () => {
      const d = await waitForState(page, (x) => x.board.dragging && x.board.dropColumn === 2, "the card over Proposal");
      assert(d.board.dragCard === "Acme renewal", `dragging ${d.board.dragCard}`);
      await screenshot(page, "board-dragging");
    },
  });
  s = await waitForState(page, (x) => !x.board.dragging && column(x, "Proposal").count === 2, "Acme renewal in Proposal");
  assert(column(s, "Qualification").count === 1 && JSON.stringify(column(s, "Qualification").totals) === '{"EUR":8000}',
         `Qualification after: ${JSON.stringify(column(s, "Qualification"))}`);
  assert(column(s, "Proposal").totals.USD === 15000, `Proposal total: ${column(s, "Proposal").totalText}`);
  assert(s.board.moves === 1 && s.board.error === "", `one move, no error: ${s.board.error}`);
  await itemRect(page, "Board notice");
  await screenshot(page, "board-after-move");

  step("the move is the domain's: the deal's stage changed, a stage change was recorded, and both reached the server");
  await click(page, "Card Acme renewal");
  s = await waitForState(page, (x) => x.record && x.record.title === "Acme renewal", "the deal's page");
  const acmeId = s.record.id;
  assert(s.record.values.stage_id === STAGE(3) && s.record.values.status === "open", `stage ${s.record.values.stage_id}`);
  assert(s.record.timeline.some((e) => e.kind === "stage"), `a stage move on the timeline: ${JSON.stringify(s.record.timeline)}`);
  await waitForState(page, (x) => x.unpushed === 0 && x.sync === "synced", "the move pushed", 30000);
  const changes = await pullAll(server.url, token);
  const moves = changes.filter((c) => c.type === "stage_change" && c.field === "deal_id" && c.value === acmeId);
  assert(moves.length === 1, `one stage_change for the deal on the server: ${moves.length}`);
  const moveFields = changes.filter((c) => c.type === "stage_change" && c.id === moves[0].id);
  assert(moveFields.some((c) => c.field === "from_stage_id" && c.value === STAGE(1)) &&
         moveFields.some((c) => c.field === "to_stage_id" && c.value === STAGE(3)), `from and to: ${JSON.stringify(moveFields)}`);
  assert(changes.some((c) => c.type === "deal" && c.id === acmeId && c.field === "stage_id" && c.value === STAGE(3)),
         "the deal's new stage on the server");
  await page.goBack();
  await waitForState(page, (x) => x.route === "#/board" && x.board && x.board.deals === 304, "back on the board");

  step("a drop on a won stage wins the deal and asks why (the reason is kept on the deal); Undo moves a deal back");
  await dragCard(page, "Initech pilot", "Closed won");
  s = await waitForState(page, (x) => column(x, "Closed won").count === 1, "Initech pilot won");
  await fill(page, "Board reason", "Best price and a fast pilot");
  await screenshot(page, "board-won-reason");
  await page.keyboard.press("Enter");
  await waitForState(page, (x) => x.board.reasonSaved, "the reason saved");
  await dragCard(page, "Umbrella order", "Closed lost");
  s = await waitForState(page, (x) => column(x, "Closed lost").count === 1 && column(x, "Negotiation").count === 0, "Umbrella lost");
  await click(page, "Board undo");
  s = await waitForState(page, (x) => column(x, "Closed lost").count === 0 && column(x, "Negotiation").count === 1, "Umbrella back");
  await click(page, "Card Initech pilot");
  s = await waitForState(page, (x) => x.record && x.record.title === "Initech pilot", "the won deal's page");
  assert(s.record.values.status === "won" && s.record.values.closed_at > 0, `won with a close time: ${JSON.stringify(s.record.values)}`);
  assert(s.record.values.close_reason === "Best price and a fast pilot", `the reason on the deal: ${s.record.values.close_reason}`);
  await page.goBack();
  await waitForState(page, (x) => x.route === "#/board" && x.board && x.board.deals === 304, "back on the board");

  step("a drop the domain refuses (the stage was deleted on another device mid-drag) is explained on the board");
  await dragCard(page, "Globex expansion", "Closed lost", {
    during: async () => {
      const before = (await state(page)).dataVersion;
      await pushChanges(server.url, token, [{ type: "stage", id: STAGE(6), field: "deleted", value: true,
                                              hlc: `${String(Date.now()).padStart(18, "0")}-00000`, replica: hex(16) }]);
      await waitForState(page, (x) => x.dataVersion > before, "the deletion pulled while the card is held", 20000);
    },
  });
  s = await waitForState(page, (x) => x.board.error !== "", "the domain's refusal");
  assert(/Globex expansion/.test(s.board.error) && /deleted/.test(s.board.error), `the message: ${s.board.error}`);
  await itemRect(page, "Board error");
  s = await waitForState(page, (x) => x.board.columns.length === 5, "the deleted stage's column gone");
  assert(column(s, "Qualification").cards.includes("Globex expansion"), "the refused deal stays where it was");
  await screenshot(page, "board-error");
  await click(page, "Board error dismiss");
  await waitForState(page, (x) => x.board.error === "", "the error dismissed");

  step("after a reload the board shows the same stages");
  await page.reload();
  await waitForApp(page);
  s = await waitForState(page, (x) => x.route === "#/board" && x.board && x.board.deals === 304, "the board after a reload", 30000);
  assert(column(s, "Proposal").cards.includes("Acme renewal") && column(s, "Closed won").cards.includes("Initech pilot") &&
         column(s, "Negotiation").cards.includes("Umbrella order"), `stages kept: ${JSON.stringify(s.board.columns.map((c) => [c.name, c.count]))}`);

  assertNoConsoleErrors(page);
});
