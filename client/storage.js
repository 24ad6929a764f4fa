// The browser half of the local database's storage (storage_web.cpp holds the SQLite VFS).
//
// IndexedDB "crm-storage" holds each database file as 64 KiB chunks: store "pages", key
// [file name, chunk index], value a Uint8Array; and store "files", key the file name, value
// {size, owner, savedAt, chunk} (chunk: the chunk size the pages are stored in; a record without
// it is from a version that stored 4 KiB chunks, and is converted on load). Chromium keeps values
// of 64 KiB and more as blob files, which it reads several times faster than small values.
// Every commit's chunks are written in ONE IndexedDB transaction together with the file's size,
// so the stored image is always a committed state.
// While a write runs, later commits are merged (newest bytes win) and written next, as one
// transaction; a write that fails (storage full) is merged back and retried, and nothing else is
// written before it, so no later commit can land without an earlier one.
//
// One tab at a time writes a file: it holds the Web Lock "crm-storage:<file>". Another tab asks
// the holder to let go over the BroadcastChannel "crm-storage", then loads the file afresh; in
// the transaction that reads it, it revokes the previous writer's token (store "fence", key
// [file, "revoked", token]). Every write first adds that key for its own token, which fails, and
// aborts the whole write, once the token is revoked: a tab whose lock was taken from it can never
// write again. The check needs no read, so a write is committed (tx.commit()) without waiting for
// the page's event loop, which may be busy drawing.
Module.crmStorage = (function () {
  var IDB_NAME = "crm-storage", FILES = "files", PAGES = "pages", FENCE = "fence";
  var CHUNK = 65536;          // must match kChunk in storage_web.cpp
  var LEGACY_CHUNK = 4096;    // the chunk size of a files record that names none
  var READ_BATCH = 64;        // chunks per request while loading (4 MiB)
  var READS_IN_FLIGHT = 4;    // such requests at a time (16 MiB of results at most waiting)
  var WRITE_SLICE = 64;       // chunks put per task while writing (4 MiB)
  var SLOW_TAKEOVER_MS = 5000;
  // A starting tab keeps waiting for the lock however long it takes (on a busy machine the grant
  // can arrive seconds late). After this long without it, it asks the browser who holds the lock,
  // and again every LOCK_CHECK_MS: only a holder that is another page means another tab has the
  // workspace (during a reload, this page's previous document holds it until it has unloaded).
  var LOCK_GRACE_MS = 1500;
  var LOCK_CHECK_MS = 1000;
  // What storage_state() returns, in the order of platform::StorageState.
  var STATES = ["loading", "ready", "elsewhere", "taking-over", "not-answering", "moved", "unavailable"];

  var token = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);  // this tab
  var files = {};             // by file name
  var idb = null, idbOpening = null;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("crm-storage") : null;
  var askedPersistence = false;

  // Counters the tests and the benchmark read; nothing depends on them.
  var stats = Module.crmStorageStats = {
    commits: 0,            // commits handed over by SQLite
    durableCommits: 0,     // of which written to IndexedDB
    transactions: 0,       // IndexedDB write transactions completed
    pagesWritten: 0,       // chunks (CHUNK bytes each)
    bytesWritten: 0,
    failedWrites: 0,
    recent: [],            // the last 50 write transactions: {pages, bytes, commits, ms}
    converted: 0,          // files found in another chunk size and rewritten in CHUNK
    // The last load: waiting for the lock, opening IndexedDB, reading the pages into memory,
    // and opening the database (SQLite, in the `ready` callback).
    lockMs: 0, idbOpenMs: 0, loadMs: 0, loadedBytes: 0, openMs: 0,
  };

  function fileState(name) {
    if (!files[name]) {
      files[name] = {
        name: name, state: "loading", holding: false, releaseLock: null,
        pending: new Map(), pendingSize: null, pendingLow: Infinity, pendingCommits: 0, storedSize: 0,
        pendingRewrite: false,  // the pending write replaces every stored chunk (a layout conversion)
        inflight: null, retryTimer: null, retryDelay: 0, error: "",
        releasing: false, releaseAfterLoad: false, flushWaiters: [], slowTimer: null, queued: null,
        lockCheck: null,
      };
    }
    return files[name];
  }

  function openIdb() {
    if (idb) return Promise.resolve(idb);
    if (idbOpening) return idbOpening;
    idbOpening = new Promise(function (resolve, reject) {
      var req;
      try {
        if (typeof indexedDB === "undefined" || !indexedDB) throw new Error("this browser offers no IndexedDB here");
        req = indexedDB.open(IDB_NAME, 1);
      } catch (e) {
        return reject(e);
      }
      req.onupgradeneeded = function () {
        [FILES, PAGES, FENCE].forEach(function (name) {
          if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
        });
      };
      req.onsuccess = function () {
        var db = req.result;
        // Another version of the app upgrading the store, or the person clearing site data:
        // let go; the next write opens it again.
        db.onversionchange = function () { db.close(); if (idb === db) idb = null; };
        db.onclose = function () { if (idb === db) idb = null; };
        idb = db;
        resolve(db);
      };
      req.onerror = function () { reject(req.error || new Error("IndexedDB refused to open")); };
      req.onblocked = function () {
        reject(new Error("an older version of this app, open in another tab, blocks the local storage; close that tab"));
      };
    });
    var clear = function () { idbOpening = null; };
    idbOpening.then(clear, clear);
    return idbOpening;
  }

  // For the status bar: short, and saying what happens next.
  function describe(err) {
    if (err && err.name === "QuotaExceededError")
      return "Not saved: this browser's storage is full (free some disk space). Kept in this tab; retrying.";
    return "Not saved: the browser's storage failed (" + ((err && err.message) || err) + "). Kept in this tab; retrying.";
  }

  function setState(f, state) {
    f.state = state;
    if (state !== "taking-over" && state !== "not-answering") clearTimeout(f.slowTimer);
  }

  // ---- holding the workspace's lock --------------------------------------------------------

  function lockName(name) { return "crm-storage:" + name; }

  // Requests the lock; `granted` runs once it is held and returns a promise that resolves when
  // this tab lets go. The lock taken from us (another tab stole it) ends in `lost`.
  function requestLock(f, options, granted) {
    if (!navigator.locks) {  // no Web Locks (an old browser): assume one tab
      f.holding = true;
      granted();
      return;
    }
    var held = false;
    navigator.locks.request(lockName(f.name), options, function (lock) {
      if (!lock) return granted(null);
      held = true;
      f.holding = true;
      return new Promise(function (resolve) {
        f.releaseLock = resolve;
        granted(lock);
      });
    }).catch(function (err) {
      if (held) lost(f);  // stolen; an aborted queued request needs nothing
      else if (!err || err.name !== "AbortError") console.warn("crm storage: lock request failed: " + err);
    });
  }

  function load(name) {
    var f = fileState(name);
    if (f.holding) return readImage(f);
    if (!askedPersistence && navigator.storage && navigator.storage.persist) {
      askedPersistence = true;  // ask the browser not to evict our data under storage pressure
      navigator.storage.persist().catch(function () {});
    }
    setState(f, "loading");
    openIdb().catch(function () {});  // opens while the lock is requested; errors show on reading
    var t0 = performance.now();
    if (typeof AbortController !== "function") {
      return requestLock(f, { ifAvailable: true }, function (lock) {
        if (lock === null) setState(f, "elsewhere");
        else readImage(f);
      });
    }
    // The request stays queued even while "elsewhere" shows: when the other tab closes, this one
    // gets the lock and loads the workspace.
    if (f.queued) f.queued.abort();  // an earlier request still waiting in the lock's queue
    var queued = f.queued = new AbortController();
    var check = function () {
      f.lockCheck = null;
      if (f.holding || f.queued !== queued) return;
      anotherTabHolds(f.name).then(function (other) {
        if (f.holding || f.queued !== queued) return;
        if (other && f.state === "loading") setState(f, "elsewhere");
        else if (!other && f.state === "elsewhere") setState(f, "loading");
        f.lockCheck = setTimeout(check, LOCK_CHECK_MS);
      });
    };
    clearTimeout(f.lockCheck);
    f.lockCheck = setTimeout(check, LOCK_GRACE_MS);
    requestLock(f, { signal: queued.signal }, function () {
      clearTimeout(f.lockCheck);
      f.lockCheck = null;
      if (f.queued === queued) f.queued = null;
      stats.lockMs = performance.now() - t0;
      readImage(f);
    });
  }

  // This page's client id as the Web Locks API reports it: the holder of a lock only it asks for.
  var ownClientId = null;
  function clientId() {
    if (ownClientId) return Promise.resolve(ownClientId);
    var probe = "crm-storage-probe:" + token;
    return navigator.locks.request(probe, { ifAvailable: true }, function (lock) {
      if (!lock) return null;
      return navigator.locks.query().then(function (snapshot) {
        var mine = (snapshot.held || []).filter(function (l) { return l.name === probe; })[0];
        return mine && mine.clientId ? mine.clientId : null;
      });
    }).then(function (id) { ownClientId = id; return id; });
  }

  // Resolves true when a page other than this one holds the file's lock. Without a way to tell
  // (no query() in this browser), a lock not granted within the grace period means another tab.
  function anotherTabHolds(name) {
    if (!navigator.locks || typeof navigator.locks.query !== "function") return Promise.resolve(true);
    return clientId().then(function (own) {
      return navigator.locks.query().then(function (snapshot) {
        return (snapshot.held || []).some(function (l) {
          return l.name === lockName(name) && (!own || l.clientId !== own);
        });
      });
    }).catch(function (err) {
      console.warn("crm storage: cannot ask who holds the lock: " + err);
      return false;
    });
  }

  function takeOver(name, force) {
    var f = fileState(name);
    if (f.holding) return;
    if (!navigator.locks) {  // no Web Locks: ask the other tab to let go, and load; loading fences it out
      if (channel) channel.postMessage({ type: "release", name: name });
      f.holding = true;
      return readImage(f);
    }
    if (f.queued) f.queued.abort();  // an earlier attempt still waiting in the lock's queue
    f.queued = null;
    var options = {};
    if (force) options.steal = true;
    else if (typeof AbortController === "function") options.signal = (f.queued = new AbortController()).signal;
    setState(f, "taking-over");
    requestLock(f, options, function () {
      f.queued = null;
      setState(f, "loading");
      readImage(f);
    });
    if (force) return;
    if (channel) channel.postMessage({ type: "release", name: name });
    clearTimeout(f.slowTimer);
    f.slowTimer = setTimeout(function () { if (f.state === "taking-over") setState(f, "not-answering"); }, SLOW_TAKEOVER_MS);
  }

  // Another tab asked for the file: stop writing, write what is pending, then let go.
  function release(f) {
    if (!f.holding || f.releasing) return;
    if (f.state === "loading") { f.releaseAfterLoad = true; return; }
    f.releasing = true;
    Module.ccall("crm_storage_release", null, ["string"], [f.name]);
    whenWritten(f, function () {
      f.releasing = false;
      f.holding = false;
      setState(f, "moved");
      var resolve = f.releaseLock;
      f.releaseLock = null;
      if (resolve) resolve();
    });
  }

  // The lock was taken from this tab without asking (a forced take-over).
  function lost(f) {
    if (!f.holding) return;
    f.holding = false;
    f.releaseLock = null;
    Module.ccall("crm_storage_release", null, ["string"], [f.name]);
    if (f.pending.size || f.inflight) console.warn("crm storage: another tab took the workspace over before the last changes here were saved");
    clearPending(f);
    clearTimeout(f.retryTimer);
    f.retryTimer = null;
    f.error = "";
    setState(f, "moved");
    settle(f);
  }

  if (channel) {
    channel.onmessage = function (event) {
      var m = event.data;
      if (m && m.type === "release" && files[m.name]) release(files[m.name]);
    };
  }

  // ---- loading -----------------------------------------------------------------------------

  // Reads the whole file into a new image in the wasm heap and installs it. The same
  // transaction marks this tab as the file's writer.
  function readImage(f) {
    setState(f, "loading");
    f.error = "";
    var t0 = performance.now();
    var id = 0, size = 0, bytes = 0, stored = CHUNK;
    openIdb().then(function (db) {
      stats.idbOpenMs = performance.now() - t0;
      return importLegacy(db, f.name).then(function () { return db; });
    }).then(function (db) {
      var tx = db.transaction([FILES, PAGES, FENCE], "readwrite");
      var fileStore = tx.objectStore(FILES), pages = tx.objectStore(PAGES), fence = tx.objectStore(FENCE);
      fileStore.get(f.name).onsuccess = function (event) {
        var record = event.target.result || { size: 0, chunk: CHUNK };
        // The previous writer can never write again; this tab can, even if it was revoked before.
        if (record.owner && record.owner !== token) fence.put(Date.now(), [f.name, "revoked", record.owner]);
        fence.delete([f.name, "revoked", token]);
        record.owner = token;
        fileStore.put(record, f.name);
        size = record.size;
        stored = record.chunk || LEGACY_CHUNK;
        batch = Math.max(1, Math.round(READ_BATCH * CHUNK / stored));
        spans = Math.ceil(size / stored);
        id = Module.ccall("crm_storage_begin", "number", ["string", "number"], [f.name, size]);
        readFrom();
      };
      // About READ_BATCH * CHUNK bytes per request, whatever the stored chunk size, with a few
      // requests in flight: IndexedDB reads the next ones while this page copies one into memory.
      // Chunks past the file's size (left by a truncation) are not read.
      var batch = 1, spans = 0, next = 0, inFlight = 0;  // set once the file's record is read
      function readFrom() {
        while (inFlight < READS_IN_FLIGHT && next < spans) {
          var range = IDBKeyRange.bound([f.name, next], [f.name, Math.min(spans, next + batch) - 1]);
          next += batch;
          ++inFlight;
          readRange(range);
        }
      }
      function readRange(range) {
        var keys = pages.getAllKeys(range), values = pages.getAll(range);
        values.onsuccess = function () {
          --inFlight;
          for (var i = 0; i < keys.result.length; ++i) {
            var data = values.result[i];
            if (!(data instanceof Uint8Array)) data = new Uint8Array(data);
            bytes += place(id, keys.result[i][1] * stored, data.subarray(0, Math.min(data.length, stored)), size);
          }
          readFrom();
        };
      }
      tx.oncomplete = function () {
        stats.loadMs = performance.now() - t0;
        stats.loadedBytes = bytes;
        clearPending(f);
        f.storedSize = size;
        if (f.releaseAfterLoad) {
          f.releaseAfterLoad = false;
          _crm_storage_discard(id);
          setState(f, "ready");
          return release(f);
        }
        // Stored in another chunk size (4 KiB, by an earlier version): write the whole file
        // again in CHUNK, as one transaction that also deletes the old chunks, so that until it
        // is durable the old layout is what is stored, whole. It goes through the ordinary
        // write path (fencing, retries); commits made meanwhile are merged into it.
        if (stored !== CHUNK) convert(f, id, size, stored);
        setState(f, "ready");
        var t1 = performance.now();
        _crm_storage_finish(id);  // SQLite opens it now, inside this call
        stats.openMs = performance.now() - t1;
        if (f.pendingRewrite) flush(f);
      };
      tx.onabort = function () { loadFailed(f, id, tx.error || new Error("reading was aborted")); };
    }).catch(function (err) { loadFailed(f, id, err); });
  }

  // Copies `data`, the stored bytes from file offset `offset`, into image `id` of a file `size`
  // bytes long, in CHUNK pieces; returns how many bytes of the file it placed.
  function place(id, offset, data, size) {
    var end = Math.min(data.length, size - offset), at = 0;
    while (at < end) {
      var index = Math.floor((offset + at) / CHUNK), within = (offset + at) % CHUNK;
      var n = Math.min(CHUNK - within, end - at);
      var ptr = _crm_storage_chunk(id, index);  // may grow memory: read HEAPU8 after
      if (!ptr) break;
      HEAPU8.set(data.subarray(at, at + n), ptr + within);
      at += n;
    }
    return at;
  }

  // Queues every chunk of the loaded image `id` as one write that replaces the stored chunks
  // (in `stored` bytes each) and records CHUNK in the files record.
  function convert(f, id, size, stored) {
    var chunks = Math.ceil(size / CHUNK);
    for (var index = 0; index < chunks; ++index) {
      var ptr = _crm_storage_chunk(id, index);  // may grow memory: read HEAPU8 after
      if (ptr) f.pending.set(index, HEAPU8.slice(ptr, ptr + CHUNK));
    }
    f.pendingSize = size;
    f.pendingLow = 0;
    f.pendingRewrite = true;
    stats.converted++;
    console.log("crm storage: converting " + f.name + " (" + size + " bytes) from " + stored / 1024 +
                " KiB to " + CHUNK / 1024 + " KiB chunks");
  }

  // Earlier versions kept the database as one file in Emscripten's IDBFS (IndexedDB "/data",
  // store "FILE_DATA", key "/data/<file>"): it is copied over once, unsent changes and all, when
  // this storage has no such file yet, and the old copy deleted once the new one is written.
  function importLegacy(db, name) {
    return new Promise(function (resolve) {
      var get = db.transaction([FILES], "readonly").objectStore(FILES).get(name);
      get.onerror = function () { resolve(); };
      get.onsuccess = function () {
        if (get.result) return resolve();
        var req;
        try { req = indexedDB.open("/data"); } catch (e) { return resolve(); }
        req.onupgradeneeded = function () { req.transaction.abort(); };  // none there: create none
        req.onerror = function (event) { event.preventDefault(); resolve(); };
        req.onsuccess = function () {
          var old = req.result;
          if (!old.objectStoreNames.contains("FILE_DATA")) { old.close(); return resolve(); }
          var read = old.transaction(["FILE_DATA"], "readonly").objectStore("FILE_DATA").get("/data/" + name);
          read.onerror = function () { old.close(); resolve(); };
          read.onsuccess = function () {
            old.close();
            var contents = read.result && read.result.contents;
            if (!contents || !contents.length) return resolve();
            var tx = db.transaction([FILES, PAGES], "readwrite", { durability: "strict" }), pages = tx.objectStore(PAGES);
            for (var at = 0; at < contents.length; at += CHUNK) {
              var chunk = new Uint8Array(CHUNK);
              chunk.set(contents.subarray(at, at + CHUNK));
              pages.put(chunk, [name, at / CHUNK]);
            }
            tx.objectStore(FILES).put({ size: contents.length, owner: "", savedAt: Date.now(), chunk: CHUNK }, name);
            tx.oncomplete = function () {
              console.log("crm storage: moved " + name + " (" + contents.length + " bytes) out of the old IDBFS storage");
              indexedDB.deleteDatabase("/data");
              resolve();
            };
            tx.onabort = function () { console.warn("crm storage: could not move the old IDBFS copy: " + tx.error); resolve(); };
          };
        };
      };
    });
  }

  function loadFailed(f, id, err) {
    if (err && err.name === "InvalidStateError") idb = null;  // the connection closed: reopen on retry
    if (id) _crm_storage_discard(id);
    f.error = "Your workspace could not be read from this browser's storage: " + ((err && err.message) || err);
    console.warn("crm storage: " + f.error);
    setState(f, "unavailable");
    if (f.releaseAfterLoad) { f.releaseAfterLoad = false; release(f); }
  }

  // Deletes every stored chunk of the file and loads it again, empty.
  function reset(name) {
    var f = fileState(name);
    if (!f.holding) return;
    Module.ccall("crm_storage_release", null, ["string"], [f.name]);  // the damaged image: no more writes
    setState(f, "loading");
    whenWritten(f, function () {
      openIdb().then(function (db) {
        var tx = db.transaction([FILES, PAGES], "readwrite", { durability: "strict" });
        tx.objectStore(PAGES).delete(IDBKeyRange.bound([name, 0], [name, Infinity]));
        tx.objectStore(FILES).put({ size: 0, owner: token, savedAt: Date.now(), chunk: CHUNK }, name);
        tx.oncomplete = function () { readImage(f); };
        tx.onabort = function () { loadFailed(f, 0, tx.error || new Error("deleting was aborted")); };
      }, function (err) { loadFailed(f, 0, err); });
    });
  }

  // ---- writing -----------------------------------------------------------------------------

  // SQLite committed: copy the changed chunks now (the heap changes again before IndexedDB
  // writes them) and write them.
  function commit(name, size, low, indexPtr, pointerPtr, count) {
    var f = files[name];
    if (!f || !f.holding || f.releasing) return;
    for (var i = 0; i < count; ++i) {
      var index = HEAP32[(indexPtr >> 2) + i], ptr = HEAPU32[(pointerPtr >> 2) + i];
      f.pending.set(index, HEAPU8.slice(ptr, ptr + CHUNK));
    }
    f.pendingSize = size;
    f.pendingLow = Math.min(f.pendingLow, low);
    f.pendingCommits++;
    stats.commits++;
    flush(f);
  }

  function nothingPending(f) { return f.pending.size === 0 && f.pendingSize === null; }

  // Forgets the commits waiting to be written (handed to a write, read over by a load, or lost
  // with the workspace to another tab).
  function clearPending(f) {
    f.pending = new Map();
    f.pendingSize = null;
    f.pendingLow = Infinity;
    f.pendingCommits = 0;
    f.pendingRewrite = false;
  }

  function flush(f) {
    if (f.inflight || f.retryTimer || !f.holding) return;
    if (nothingPending(f)) return settle(f);
    var batch = { pages: f.pending, size: f.pendingSize, low: f.pendingLow, commits: f.pendingCommits,
                  rewrite: f.pendingRewrite, start: performance.now() };
    clearPending(f);
    f.inflight = batch;
    openIdb().then(function (db) { write(f, db, batch); }, function (err) { failed(f, batch, err); });
  }

  function write(f, db, batch) {
    var tx;
    try {
      tx = db.transaction([FILES, PAGES, FENCE], "readwrite", { durability: "strict" });
    } catch (e) {
      if (idb === db) idb = null;  // closed under us: open again on the retry
      return failed(f, batch, e);
    }
    var pages = tx.objectStore(PAGES), fence = tx.objectStore(FENCE);
    // Fails with a ConstraintError, aborting everything below, once another tab took the file.
    var revoked = [f.name, "revoked", token];
    var check = fence.add(Date.now(), revoked);
    check.onerror = function (event) { event.stopPropagation(); };  // still aborts; just not reported twice
    fence.delete(revoked);
    var chunks = Math.ceil(batch.size / CHUNK), bytes = 0, count = 0;
    // Chunks past the smallest size since the last write are stale (the file shrank); those
    // written again are put back just below.
    // A conversion deletes every stored chunk, whatever size they were stored in.
    var keep = batch.rewrite ? 0 : Math.ceil(Math.min(batch.low, batch.size) / CHUNK);
    if (batch.rewrite || Math.ceil(f.storedSize / CHUNK) > keep) pages.delete(IDBKeyRange.bound([f.name, keep], [f.name, Infinity]));
    var entries = [];
    batch.pages.forEach(function (data, index) { if (index < chunks) entries.push(index); });
    // A large write (a whole downloaded workspace, or a conversion: 100 MiB is 1,600 chunks) is
    // handed to IndexedDB a slice (4 MiB) at a time, the next slice when the current one's first
    // chunk is stored: the page answers requests and draws in between, instead of freezing for a
    // second. The pending request keeps the transaction open, so it stays one all-or-nothing
    // write.
    var at = 0;
    var putSlice = function () {
      var end = Math.min(entries.length, at + WRITE_SLICE), first = null;
      for (; at < end; ++at) {
        var data = batch.pages.get(entries[at]);
        var request = pages.put(data, [f.name, entries[at]]);
        if (!first) first = request;
        bytes += data.length;
        count++;
      }
      if (at < entries.length) {
        first.onsuccess = putSlice;
        return;
      }
      tx.objectStore(FILES).put({ size: batch.size, owner: token, savedAt: Date.now(), chunk: CHUNK }, f.name);
      if (tx.commit) tx.commit();
    };
    putSlice();
    tx.oncomplete = function () {
      var ms = performance.now() - batch.start;
      f.inflight = null;
      f.storedSize = batch.size;
      f.error = "";
      f.retryDelay = 0;
      stats.transactions++;
      stats.durableCommits += batch.commits;
      stats.pagesWritten += count;
      stats.bytesWritten += bytes;
      stats.recent.push({ pages: count, bytes: bytes, commits: batch.commits, ms: ms });
      if (stats.recent.length > 50) stats.recent.shift();
      flush(f);
    };
    tx.onabort = function () {
      if (check.error && check.error.name === "ConstraintError") { f.inflight = null; return lost(f); }
      failed(f, batch, tx.error || new Error("the write was aborted"));
    };
  }

  // Puts a batch that could not be written back under the newer commits, and retries later.
  function failed(f, batch, err) {
    f.inflight = null;
    if (!f.holding) return;
    batch.pages.forEach(function (data, index) { if (!f.pending.has(index)) f.pending.set(index, data); });
    if (f.pendingSize === null) f.pendingSize = batch.size;
    f.pendingLow = Math.min(f.pendingLow, batch.low);
    f.pendingCommits += batch.commits;
    f.pendingRewrite = f.pendingRewrite || batch.rewrite;
    stats.failedWrites++;
    f.error = describe(err);
    console.warn("crm storage: " + f.error);
    f.retryDelay = Math.min(10000, f.retryDelay ? f.retryDelay * 2 : 1000);
    f.retryTimer = setTimeout(function () { f.retryTimer = null; flush(f); }, f.retryDelay);
  }

  // Runs `done` once every commit so far is in IndexedDB (at once when it already is).
  function whenWritten(f, done) {
    f.flushWaiters.push(done);
    if (!f.inflight && !f.retryTimer) flush(f);
  }

  function settle(f) {
    var waiters = f.flushWaiters;
    f.flushWaiters = [];
    waiters.forEach(function (done) { done(); });
  }

  function flushNow(name) {
    var f = files[name];
    if (!f || !f.retryTimer) return;
    clearTimeout(f.retryTimer);
    f.retryTimer = null;
    flush(f);
  }

  return {
    load: load,
    commit: commit,
    takeOver: takeOver,
    reset: reset,
    flushNow: flushNow,
    retry: function (name) { var f = fileState(name); if (f.holding) readImage(f); else load(name); },
    state: function (name) { return files[name] ? files[name].state : "loading"; },
    stateCode: function (name) { return STATES.indexOf(files[name] ? files[name].state : "loading"); },
    persisted: function (name) { var f = files[name]; return !f || (!f.inflight && nothingPending(f)); },
    error: function (name) { return (files[name] && files[name].error) || ""; },
  };
})();
