// Loaded before bench_storage.js: exposes the local-storage benchmark once the module is ready.
"use strict";
var Module = {
  onRuntimeInitialized: function () {
    const stats = () => Module.crmStorageStats;
    // Resolves once every commit is in IndexedDB, checking between tasks without the 4 ms clamp
    // of setTimeout.
    const channel = new MessageChannel();
    const durable = () => new Promise((resolve) => {
      const check = () => {
        if (stats().durableCommits === stats().commits) return resolve();
        channel.port1.onmessage = check;
        channel.port2.postMessage(0);
      };
      check();
    });
    window.benchStorage = {
      // Loads `name` from IndexedDB and opens it; resolves with the load's figures.
      open: (name) => new Promise((resolve) => {
        Module.ccall("bench_storage_open", null, ["string"], [name]);
        const poll = () => {
          const opened = Module.ccall("bench_storage_opened", "string", [], []);
          if (!opened) return setTimeout(poll, 5);
          const s = stats();
          resolve(Object.assign(JSON.parse(opened), { lockMs: s.lockMs, idbOpenMs: s.idbOpenMs, loadMs: s.loadMs,
                                                      loadedBytes: s.loadedBytes }));
        };
        poll();
      }),
      // Edits one field `count` times, one at a time; each figure is from the call to the moment
      // IndexedDB reports the commit's transaction complete.
      edits: async (count) => {
        await durable();
        const ms = [], pages = [];
        for (let i = 0; i < count; ++i) {
          const before = stats().pagesWritten;
          const t0 = performance.now();
          const error = Module.ccall("bench_storage_edit", "string", ["number"], [i]);
          if (error) return { error };
          await durable();
          ms.push(performance.now() - t0);
          pages.push(stats().pagesWritten - before);
        }
        return { ms, pages };
      },
    };
    document.getElementById("status").textContent = "ready";
  },
};
