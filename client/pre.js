// Runs before main(): sets up the read-only test hooks (window.crm) the browser tests use to find
// widgets. The local database's storage is in storage.js, loaded before this file.

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
  // Unsent changes, or (for a moment after a save) changes not yet in IndexedDB.
  if (s && (s.unpushed > 0 || !s.persisted)) {
    event.preventDefault();
    event.returnValue = "";
  }
});
