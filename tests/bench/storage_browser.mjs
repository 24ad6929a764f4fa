// ./crm bench, local storage in the browser: what saving one edited field costs, from the call
// to IndexedDB reporting it durable, and how long opening takes, with ~10 MB and ~200 MB stored.
// Runs the client's own storage (client/storage.js, storage_web.cpp) and LocalStore in the
// bench_storage page, without the UI, so the figures are the storage's and not the drawing's.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { launchBrowser, removeDir, startServer, tempDir } from "../browser/lib.mjs";
import { importImage, CHUNK } from "../browser/storage_image.mjs";

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};

const SIZES = [
  { label: "~10 MB", file: "storage-3k-seed2.db", seed: "2", companies: "600", contacts: "3000" },
  // The same data set as the domain figures (section 3), made once per seed.
  { label: "~200 MB", file: "contacts-100k-seed1.db", seed: "1", companies: "20000", contacts: "100000" },
];
const EDITS = 60, WARMUP = 10, OPENS = 3;

export async function benchStorageInBrowser({ report, median, build }) {
  const admin = join(build, "native/server/crm-admin");
  const work = join(build, "bench");
  const benchWeb = join(build, "wasm/bench-web");
  mkdirSync(work, { recursive: true });
  for (const size of SIZES) {
    const path = join(work, size.file);
    if (!existsSync(path)) {
      console.log(`generating ${size.file} (once; kept in build/bench) ...`);
      execFileSync(admin, ["generate", "--db", path, "--seed", size.seed, "--companies", size.companies,
                           "--contacts", size.contacts, "--deals", "0", "--activities", "0", "--cases", "0",
                           "--leads", "0"], { stdio: "inherit" });
    }
    const served = join(benchWeb, size.file);
    if (!existsSync(served) || statSync(served).size !== statSync(path).size) copyFileSync(path, served);
  }

  const data = tempDir("crm-bench-storage-");
  const web = process.env.CRM_WEB_DIR;
  process.env.CRM_WEB_DIR = benchWeb;
  const server = await startServer({ dataDir: data });
  process.env.CRM_WEB_DIR = web;
  const browser = await launchBrowser();
  try {
    for (const size of SIZES) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const url = new URL("storage_bench.html", server.url).href;
      const ready = async () => {
        await page.goto(url);
        await page.waitForFunction(() => window.benchStorage !== undefined, null, { timeout: 60000 });
      };
      await ready();
      const t0 = Date.now();
      const bytes = await importImage(page, "bench.db", new URL(size.file, server.url).href);
      console.log(`${size.label}: ${(bytes / 1048576).toFixed(0)} MiB put into IndexedDB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      // The first open also refreshes the planner's statistics (once a day): not counted.
      const opens = [];
      for (let i = 0; i <= OPENS; ++i) {
        await ready();
        const opened = await page.evaluate(() => window.benchStorage.open("bench.db"));
        if (opened.error) throw new Error(`opening the ${size.label} database failed: ${opened.error}`);
        if (i > 0) opens.push(opened);
      }
      const edits = await page.evaluate((n) => window.benchStorage.edits(n), EDITS);
      if (edits.error) throw new Error(`an edit failed: ${edits.error}`);
      await context.close();

      const ms = edits.ms.slice(WARMUP), pages = edits.pages.slice(WARMUP);
      const mib = `${(bytes / 1048576).toFixed(0)} MiB`;
      report(`save one edited field -> durable, ${mib} stored, median / p95 (${ms.length})`,
             `${median(ms).toFixed(1)} / ${percentile(ms, 0.95).toFixed(1)} ms`,
             `${median(pages)} chunks of ${CHUNK / 1024} KiB (${median(pages) * CHUNK / 1024} KiB) written per save`);
      const read = median(opens.map((o) => o.lockMs + o.loadMs)), open = median(opens.map((o) => o.openMs));
      report(`open with ${mib} stored: read into memory + LocalStore::open (median of ${OPENS})`,
             `${(read / 1000).toFixed(2)} + ${(open / 1000).toFixed(2)} s`,
             `read: Web Lock, then every ${CHUNK / 1024} KiB chunk from IndexedDB; open: LocalStore::open (migrations, identity; no page-by-page check)`);
    }
  } finally {
    await browser.close();
    await server.stop();
    removeDir(data);
  }
}
