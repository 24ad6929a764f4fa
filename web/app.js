// Page bootstrap: configures the Emscripten module before client.js loads, shows load errors
// in the page, and registers the service worker that keeps the app usable offline.
"use strict";
var Module = {
  canvas: document.getElementById("canvas"),
  print: function (text) { console.log(text); },
  printErr: function (text) { console.warn(text); },
  onRuntimeInitialized: function () {
    document.getElementById("status").classList.add("hidden");
    Module.canvas.focus();
  },
  onAbort: function (what) {
    var s = document.getElementById("status");
    s.textContent = "The CRM stopped: " + what + "\nReload the page to try again; your saved data is kept.";
    s.className = "error";
  },
};

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js").catch(function (err) {
    console.warn("offline support is unavailable: " + err);
  });
}
