// Service worker: keeps a copy of the app shell so the CRM opens with no network. Each request
// goes to the network first (so a new version arrives as soon as the server has it) and falls
// back to the cached copy when the server cannot be reached. The sync API is never cached.
"use strict";
const CACHE = "crm-shell-v2";
const SHELL = ["./", "index.html", "app.js", "client.js", "client.wasm", "client.data", "style.css",
               "manifest.webmanifest", "icon.svg", "font-fallback.ttf", "font-symbols.ttf"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request, { ignoreSearch: true })
        .then((cached) => cached || Response.error())));
});
