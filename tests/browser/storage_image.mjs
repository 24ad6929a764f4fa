// Sets up the local database in IndexedDB before the app starts, the way client/storage.js keeps
// it: database "crm-storage", store "pages" ([file, chunk index] -> 65536-byte Uint8Array) and
// store "files" (file -> {size, owner, chunk: 65536}); store "fence" is storage.js's own. Used by
// the storage tests and the benchmark. The page used is a static file of the app's origin
// (icon.svg), so no app runs meanwhile.

// CHUNK in client/storage.js.
export const CHUNK = 65536;
// The chunk size of earlier versions, whose files record names none.
export const LEGACY_CHUNK = 4096;

// Runs `body` (JavaScript source using `db`, returning a value or a promise) in the page,
// against IndexedDB "crm-storage", creating its stores if needed. `done(tx)` waits for a
// transaction.
function inPage(page, body) {
  return page.evaluate(`(function () {
    function done(tx) {
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { resolve(); };
        tx.onabort = tx.onerror = function () { reject(tx.error); };
      });
    }
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("crm-storage", 1);
      req.onupgradeneeded = function () {
        ["files", "pages", "fence"].forEach(function (n) { req.result.createObjectStore(n); });
      };
      req.onerror = function () { reject(req.error); };
      req.onsuccess = function () {
        var db = req.result;
        Promise.resolve((function () { ${body} })()).then(function (v) { db.close(); resolve(v); },
                                                          function (e) { db.close(); reject(e); });
      };
    });
  })()`);
}

async function onOrigin(context, url, fn) {
  const page = await context.newPage();
  try {
    await page.goto(new URL("icon.svg", url).href);
    return await fn(page);
  } finally {
    await page.close();
  }
}

// The files record storage.js writes for a file stored in `chunk`-byte chunks: earlier versions,
// which stored 4 KiB chunks, wrote none.
const fileRecord = (size, chunk) =>
  JSON.stringify(chunk === LEGACY_CHUNK ? { size, owner: "test setup" } : { size, owner: "test setup", chunk });

// Stores `bytes` (a Buffer) as the database file `name`, replacing what was there, in `chunk`-byte
// chunks: LEGACY_CHUNK stores it the way versions before 64 KiB chunks did (a files record
// without `chunk`).
export async function writeImage(context, url, name, bytes, { chunk = CHUNK } = {}) {
  const file = JSON.stringify(name);
  await onOrigin(context, url, async (page) => {
    await inPage(page, `
      var tx = db.transaction(["files", "pages"], "readwrite");
      tx.objectStore("pages").delete(IDBKeyRange.bound([${file}, 0], [${file}, Infinity]));
      tx.objectStore("files").put(${fileRecord(0, chunk)}, ${file});
      return done(tx);`);
    // In slices, so that no single message to the page is huge.
    const slice = Math.max(1, Math.floor(1048576 / chunk)) * chunk;
    for (let offset = 0; offset < bytes.length; offset += slice) {
      const part = bytes.subarray(offset, Math.min(bytes.length, offset + slice)).toString("base64");
      await inPage(page, `
        var raw = atob(${JSON.stringify(part)}), all = new Uint8Array(raw.length);
        for (var i = 0; i < raw.length; ++i) all[i] = raw.charCodeAt(i);
        var tx = db.transaction(["pages"], "readwrite"), pages = tx.objectStore("pages");
        for (var at = 0; at < all.length; at += ${chunk}) {
          var chunk = new Uint8Array(${chunk});
          chunk.set(all.subarray(at, at + ${chunk}));
          pages.put(chunk, [${file}, ${offset / chunk} + at / ${chunk}]);
        }
        return done(tx);`);
    }
    await inPage(page, `
      var tx = db.transaction(["files"], "readwrite");
      tx.objectStore("files").put(${fileRecord(bytes.length, chunk)}, ${file});
      return done(tx);`);
  });
}

// Overwrites every stored byte of `name` past its first 4 KiB page (which says it is a SQLite
// database) with random bytes; returns how many chunks it changed.
export async function corruptImage(context, url, name) {
  const file = JSON.stringify(name);
  return onOrigin(context, url, (page) => inPage(page, `
    var tx = db.transaction(["pages"], "readwrite"), pages = tx.objectStore("pages"), count = 0;
    var range = IDBKeyRange.bound([${file}, 0], [${file}, Infinity]);
    var keys = pages.getAllKeys(range), values = pages.getAll(range);
    values.onsuccess = function () {
      keys.result.forEach(function (key, i) {
        var garbage = new Uint8Array(values.result[i]);
        crypto.getRandomValues(key[1] === 0 ? garbage.subarray(4096) : garbage);
        pages.put(garbage, key);
        count++;
      });
    };
    return done(tx).then(function () { return count; });`));
}

// How `name` is stored: its files record, and its chunks' indices and lengths in key order.
export async function storedLayout(context, url, name) {
  const file = JSON.stringify(name);
  return onOrigin(context, url, (page) => inPage(page, `
    var tx = db.transaction(["files", "pages"], "readonly"), layout = {};
    tx.objectStore("files").get(${file}).onsuccess = function (event) { layout.record = event.target.result; };
    var range = IDBKeyRange.bound([${file}, 0], [${file}, Infinity]);
    var keys = tx.objectStore("pages").getAllKeys(range), values = tx.objectStore("pages").getAll(range);
    values.onsuccess = function () {
      layout.indices = keys.result.map(function (key) { return key[1]; });
      layout.lengths = values.result.map(function (value) { return value.byteLength; });
    };
    return done(tx).then(function () { return layout; });`));
}

// Stores the file at `source` (a URL the page can fetch) as the database file `name`; for files
// too large to pass through the test driver. Returns the size in bytes.
export async function importImage(page, name, source) {
  const file = JSON.stringify(name);
  return inPage(page, `
    return fetch(${JSON.stringify(source)}).then(function (r) {
      if (!r.ok) throw new Error("cannot fetch ${source}: HTTP " + r.status);
      return r.arrayBuffer();
    }).then(function (buffer) {
      var all = new Uint8Array(buffer), batch = 128 * ${CHUNK};
      var tx = db.transaction(["files", "pages"], "readwrite");
      tx.objectStore("pages").delete(IDBKeyRange.bound([${file}, 0], [${file}, Infinity]));
      tx.objectStore("files").put(${fileRecord(0, CHUNK)}, ${file});
      var chain = done(tx);
      for (var offset = 0; offset < all.length; offset += batch) {
        chain = chain.then(function (offset) {
          return function () {
            var t = db.transaction(["pages"], "readwrite"), pages = t.objectStore("pages");
            for (var at = offset; at < Math.min(all.length, offset + batch); at += ${CHUNK}) {
              var chunk = new Uint8Array(${CHUNK});
              chunk.set(all.subarray(at, at + ${CHUNK}));
              pages.put(chunk, [${file}, at / ${CHUNK}]);
            }
            return done(t);
          };
        }(offset));
      }
      return chain.then(function () {
        var t = db.transaction(["files"], "readwrite");
        t.objectStore("files").put({ size: all.length, owner: "test setup", chunk: ${CHUNK} }, ${file});
        return done(t);
      }).then(function () { return all.length; });
    });`);
}

// Stores `bytes` as the database file `name` the way the earlier storage did: one file in
// Emscripten's IDBFS, IndexedDB "/data", store "FILE_DATA", key "/data/<name>".
export async function writeLegacyImage(context, url, name, bytes) {
  await onOrigin(context, url, (page) => page.evaluate(([name, base64]) => new Promise((resolve, reject) => {
    const raw = atob(base64), contents = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; ++i) contents[i] = raw.charCodeAt(i);
    const req = indexedDB.open("/data", 21);
    req.onupgradeneeded = () => req.result.createObjectStore("FILE_DATA").createIndex("timestamp", "timestamp", { unique: false });
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result, tx = db.transaction(["FILE_DATA"], "readwrite");
      tx.objectStore("FILE_DATA").put({ timestamp: new Date(), mode: 16895 }, "/data");
      tx.objectStore("FILE_DATA").put({ timestamp: new Date(), mode: 33206, contents }, `/data/${name}`);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onabort = () => { db.close(); reject(tx.error); };
    };
  }), [name, bytes.toString("base64")]));
}

// The names of the page origin's IndexedDB databases.
export async function databaseNames(context, url) {
  return onOrigin(context, url, (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)));
}
