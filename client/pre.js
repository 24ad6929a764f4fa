// Runs before main(): mounts the IndexedDB-backed folder that holds the local database, and
// sets up the read-only test hooks (window.crm) the browser tests use to find widgets.
Module.preRun = Module.preRun || [];
Module.preRun.push(function () {
  FS.mkdir("/data");
  FS.mount(IDBFS, {}, "/data");
  addRunDependency("crm-load-local-db");
  FS.syncfs(true, function (err) {
    if (err) Module.crmPersistState.error = "could not read local storage: " + err;
    removeRunDependency("crm-load-local-db");
  });
  // Ask the browser not to evict our data under storage pressure.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
});

// Writes to IndexedDB one at a time; a request while one runs schedules exactly one more.
Module.crmPersistState = { running: false, again: false, pending: false, error: "", writes: 0 };
Module.crmPersist = function () {
  var s = Module.crmPersistState;
  s.pending = true;
  if (s.running) { s.again = true; return; }
  s.running = true;
  FS.syncfs(false, function (err) {
    s.running = false;
    s.writes++;
    s.error = err ? "could not save to local storage: " + (err.message || err) : "";
    if (s.again) { s.again = false; Module.crmPersist(); }
    else if (!err) s.pending = false;
  });
};

// Test hooks: they read the UI's state; none of them writes data.
window.crm = {
  // The screen rectangle (CSS pixels) of the widget last drawn with this label, or null.
  itemRect: function (label) {
    if (!Module.calledRun) return null;
    var json = Module.ccall("crm_item_rect", "string", ["string"], [label]);
    return json ? JSON.parse(json) : null;
  },
  // Frame count, record counts, sync and storage status; null until the app has started.
  state: function () {
    if (!Module.calledRun) return null;
    return JSON.parse(Module.ccall("crm_state_json", "string", [], []));
  },
};

// Closing the tab with changes the server has not acknowledged: they are safe in the local
// database and will be sent next time, but the person may want to stay until they are.
window.addEventListener("beforeunload", function (event) {
  var s = window.crm.state();
  if (s && s.unpushed > 0) {
    event.preventDefault();
    event.returnValue = "";
  }
});
