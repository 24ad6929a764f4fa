// Loaded before bench_domain.js: exposes the benchmark functions once the module is ready.
"use strict";
var Module = {
  onRuntimeInitialized: function () {
    window.benchInsert = (n) => JSON.parse(Module.ccall("bench_insert", "string", ["number"], [n]));
    window.benchQueries = async (url, iterations) => {
      const data = new Uint8Array(await (await fetch(url)).arrayBuffer());
      FS.writeFile("/tmp/queries.db", data);
      return JSON.parse(Module.ccall("bench_queries", "string", ["string", "number"], ["/tmp/queries.db", iterations]));
    };
    document.getElementById("status").textContent = "ready";
  },
};
