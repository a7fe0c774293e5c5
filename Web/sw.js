// The service worker keeps the app shell — this page's code, styles and icons — so the client
// opens without the network and installs as an app. It caches nothing else: no reply, message
// or record ever passes through it (the WebSocket does not), and nothing personal is stored.
const cacheName = "ward-shell-2";
const shell = [
  "/", "/index.html", "/app.css", "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png", "/icons/icon-512.png",
  "/app/main.js", "/app/dom.js", "/app/signin.js", "/app/connection.js", "/app/keystore.js", "/app/suite.js", "/app/hpke.js",
  "/app/bytes.js", "/app/messenger.js", "/app/workspace.js", "/app/appointments.js", "/app/record.js", "/app/privacy.js",
  "/app/identity.js", "/app/identitysetup.js", "/app/search.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll(shell)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(names.filter((n) => n !== cacheName).map((n) => caches.delete(n)))));
});

// The network first, so a new version is used as soon as the appliance serves it; the shell
// from the cache when the appliance cannot be reached.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !shell.includes(url.pathname)) return;
  event.respondWith(
    fetch(event.request).then((response) => {
      const copy = response.clone();
      if (response.ok) caches.open(cacheName).then((cache) => cache.put(event.request, copy));
      return response;
    }).catch(() => caches.match(event.request).then((cached) => cached ?? Response.error())),
  );
});
